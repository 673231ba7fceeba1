"""Exports of the Art. 30 record of processing activities: XLSX, CSV, JSON and PDF, in the shape of the
bare article or of a supervisory authority's template (ICO, DPC, CNIL).

    document = build_document(organisation=org, template=ICO, language="da")
        # = build_record(organisation=org) (plain data, fixed number of queries) and render_document(...),
        #   both inside translation.override("da"): register texts, labels and headers all in Danish
    xlsx.render(document)                                 # bytes

`export_record()` does it all and names the file. Exports only read: nothing is written to the database.
Languages: settings.EXPORT_LANGUAGES (the site's languages and French).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

from ..models import Organisation
from . import csv, json, pdf, xlsx
from .document import Document, build_document, export_language, render_document
from .record import build_record
from .templates import TEMPLATES

__all__ = [
    "DEFAULT_FORMAT", "DEFAULT_TEMPLATE", "FORMATS", "TEMPLATES", "Document", "ExportFile", "Format", "build_document",
    "build_record", "export_filename", "export_language", "export_record", "render_document",
]


@dataclass(frozen=True)
class Format:
    key: str
    label: str
    extension: str
    content_type: str
    render: Callable[[Document], bytes]


FORMATS: dict[str, Format] = {
    f.key: f
    for f in (
        Format("xlsx", _("Excel workbook (XLSX)"), "xlsx",
               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx.render),
        Format("csv", _("CSV"), "csv", "text/csv; charset=utf-8", csv.render),
        Format("json", _("JSON"), "json", "application/json", json.render),
        Format("pdf", _("PDF document"), "pdf", "application/pdf", pdf.render),
    )
}
DEFAULT_FORMAT = "xlsx"
DEFAULT_TEMPLATE = "art30"


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    content: bytes


def export_filename(*, organisation: Organisation, template: str, fmt: str, day: date) -> str:
    return f"ropa-{organisation.slug}-{template}-{day.isoformat()}.{FORMATS[fmt].extension}"


def export_record(
    *,
    organisation: Organisation,
    fmt: str = DEFAULT_FORMAT,
    template: str = DEFAULT_TEMPLATE,
    language: str | None = None,
    include_retired: bool = False,
) -> ExportFile:
    """The organisation's Art. 30 record as one file, wholly in `language` (see `build_document`). Raises KeyError
    for an unknown format or template."""
    file_format, chosen = FORMATS[fmt], TEMPLATES[template]
    document = build_document(
        organisation=organisation, template=chosen, language=language, include_retired=include_retired,
    )
    return ExportFile(
        filename=export_filename(organisation=organisation, template=template, fmt=fmt, day=document.record.date),
        content_type=file_format.content_type,
        content=file_format.render(document),
    )
