"""Print what is missing or wrong in the register; fail (exit 1) when any finding is an error, so CI or
a cron job can hold a release of the notice on a broken register."""
from __future__ import annotations

from itertools import groupby

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from privacy_registry import selectors
from privacy_registry.checks import Finding, Severity, get_checks
from privacy_registry.models import Organisation


class Command(BaseCommand):
    help = "Run the register checks and print the gaps. Exits 1 if any finding is an error."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--organisation", metavar="SLUG", help="Check one organisation (its short name).")
        parser.add_argument("--list", action="store_true", help="List the registered checks and exit.")

    def handle(self, *args, **options) -> None:
        if options["list"]:
            for check in get_checks():
                self.stdout.write(f"{check.id}  {check.severity.label:<8} {check.title}")
            return
        organisation = None
        if slug := options["organisation"]:
            organisation = Organisation.objects.filter(slug=slug).first()
            if organisation is None:
                known = ", ".join(Organisation.objects.order_by("slug").values_list("slug", flat=True)) or "—"
                message = _("No organisation with the short name “%(slug)s”. Known: %(known)s.")
                raise CommandError(message % {"slug": slug, "known": known}, returncode=2)
            organisations = [organisation]
        else:
            organisations = list(Organisation.objects.order_by("name"))

        findings = selectors.register_findings(organisation=organisation)
        for group in selectors.findings_by_organisation(findings, organisations):
            self._write_group(group)

        errors = sum(1 for f in findings if f.is_error)
        warnings = sum(1 for f in findings if f.severity == Severity.WARNING)
        summary = _("%(total)d findings: %(errors)d errors, %(warnings)d warnings.") % {
            "total": len(findings), "errors": errors, "warnings": warnings,
        }
        if errors:
            self.stdout.write(summary)
            raise CommandError(
                ngettext("The register has %(n)d error.", "The register has %(n)d errors.", errors) % {"n": errors}
            )
        self.stdout.write(self.style.SUCCESS(summary))

    def _write_group(self, group: dict) -> None:
        organisation = group["organisation"]
        heading = f"{organisation.name} ({organisation.slug})" if organisation else _("Not used by any organisation")
        self.stdout.write(self.style.MIGRATE_HEADING(heading))
        for severity, items in groupby(group["findings"], key=lambda f: f.severity):
            style = self.style.ERROR if severity == Severity.ERROR else self.style.WARNING
            self.stdout.write(style(f"  {severity.label} ({group['counts'][severity.value]})"))
            for finding in items:
                self.stdout.write(self._line(finding))

    @staticmethod
    def _line(finding: Finding) -> str:
        record = f"{finding.model_label} #{finding.object_pk}"
        if finding.admin_url:
            record = f"{record} {finding.admin_url}"
        return f"    {finding.check_id}  {finding.message}  [{record}]"
