"""A template applied to a record: the cover and the sheets as plain strings, ready for any format.

Every format (XLSX, CSV, JSON, PDF) renders the same `Document`, so they carry the same facts by
construction. `build_document()` builds the record and applies the template inside one language: the register's
own texts read in it (modeltranslation falls back where a text has no translation), and every header, phrase and
choice label is translated in it, once. A record built in one language and rendered in another would mix them.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation

from ..models import Organisation, ProcessingActivity
from .record import ActivityItem, RegisterRecord, build_record
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


def export_language(template: Template, language: str | None = None) -> str:
    """The language an export is written in: the template's own where it has one (CNIL: French), else the one
    asked, else the active one."""
    return template.language or language or translation.get_language() or settings.LANGUAGE_CODE


def build_document(
    *, organisation: Organisation, template: Template, language: str | None = None, include_retired: bool = False,
) -> Document:
    """The organisation's record under `template`, built and rendered wholly in the export's language
    (`export_language`). What every export (command, admin) goes through."""
    language = export_language(template, language)
    with translation.override(language):
        record = build_record(organisation=organisation, include_retired=include_retired)
        return render_document(template=template, record=record, language=language)


def render_document(*, template: Template, record: RegisterRecord, language: str | None = None) -> Document:
    """Apply `template` to `record`. A template fixed to one language (CNIL) renders in it; others in `language`
    (default: the language the record was built in). Headers and phrases follow `language`; the record's texts
    and labels are those of the language it was built in, so build it in the same one (`build_document`)."""
    language = template.language or language or record.language or settings.LANGUAGE_CODE
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
