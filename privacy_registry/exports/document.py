"""A template applied to a record: the cover and the sheets as plain strings, ready for any format.

Every format (XLSX, CSV, JSON, PDF) renders the same `Document`, so they carry the same facts by
construction; the translation of headers and labels happens here, once, in the requested language.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation

from ..models import ProcessingActivity
from .record import ActivityItem, RegisterRecord
from .templates import Row, Source, Template


@dataclass(frozen=True)
class SheetData:
    key: str
    title: str
    record_type: str
    headers: list[str]
    sources: list[Source]
    rows: list[list[str]]
    activities: list[ActivityItem]  # the activity of each row, for formats that group rows (PDF)

    def as_dicts(self) -> list[dict[str, str]]:
        return [dict(zip(self.headers, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Document:
    template: Template
    record: RegisterRecord
    language: str
    title: str
    template_name: str
    authority: str
    cover: list[tuple[str, str]]
    sheets: list[SheetData]


def render_document(*, template: Template, record: RegisterRecord, language: str | None = None) -> Document:
    """Apply `template` to `record`. A template fixed to one language (CNIL) renders in it; others in `language`
    (default: the active language)."""
    language = template.language or language or translation.get_language() or "en"
    with translation.override(language):
        cover_row = Row(record=record)
        cover = [(str(c.header), c.extract(cover_row)) for c in template.cover]
        sheets = []
        for sheet in template.sheets:
            rows = sheet.rows(record)
            if not rows and sheet.record_type != ProcessingActivity.RecordType.CONTROLLER:
                continue  # no processor activities: no processor record to hand over
            sheets.append(SheetData(
                key=sheet.key, title=str(sheet.title), record_type=sheet.record_type, headers=sheet.headers(),
                sources=[c.source for c in sheet.columns], rows=[cells for _, cells in rows],
                activities=[activity for activity, _ in rows],
            ))
        return Document(
            template=template, record=record, language=language, title=str(template.title),
            template_name=str(template.name), authority=str(template.authority), cover=cover, sheets=sheets,
        )
