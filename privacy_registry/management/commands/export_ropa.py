"""Export an organisation's Art. 30 record of processing activities to a file. Reads only."""
from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from privacy_registry import exports, selectors
from privacy_registry.exports.templates import TEMPLATES
from privacy_registry.models import Organisation


class Command(BaseCommand):
    help = (
        "Write an organisation's record of processing activities (GDPR Art. 30) as XLSX, CSV, JSON or PDF, "
        "in the shape of the bare article or of an authority's template (ICO, DPC, CNIL)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisation", required=True, help="The organisation's short name (slug).")
        parser.add_argument("--format", required=True, choices=sorted(exports.FORMATS), dest="fmt")
        parser.add_argument("--template", default=exports.DEFAULT_TEMPLATE, choices=list(TEMPLATES))
        parser.add_argument("--output", required=True, help="Path of the file to write.")
        parser.add_argument(
            "--language", choices=[code for code, _ in settings.EXPORT_LANGUAGES],
            help="Language of the whole record: headers, labels and the register's own texts where they are "
                 "translated (default: the site language). The CNIL template is in French.",
        )
        parser.add_argument(
            "--include-retired", action="store_true", help="Also list retired activities (left out by default).",
        )

    def handle(self, *args, organisation, fmt, template, output, language, include_retired, **options):
        try:
            org = selectors.organisations_for_record().get(slug=organisation)
        except Organisation.DoesNotExist:
            known = ", ".join(Organisation.objects.order_by("slug").values_list("slug", flat=True)) or "none"
            raise CommandError(f"No organisation with the short name {organisation!r}. Known: {known}.") from None
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"Cannot write {path}: the folder {path.parent} does not exist.")
        exported = exports.export_record(
            organisation=org, fmt=fmt, template=template, language=language or settings.LANGUAGE_CODE,
            include_retired=include_retired,
        )
        path.write_bytes(exported.content)
        self.stdout.write(self.style.SUCCESS(
            f"Wrote the record of {org.name} ({TEMPLATES[template].name}, {fmt}) to {path}: "
            f"{len(exported.content)} bytes."
        ))
