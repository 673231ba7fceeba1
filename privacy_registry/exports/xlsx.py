"""XLSX: a cover sheet (controller, representative, DPO, other contacts), then one sheet per record with a
styled, frozen header row and one row per purpose (per activity where the template keeps one fiche each)."""
from __future__ import annotations

import io
import re

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .document import Document

HEADER_FILL = PatternFill("solid", fgColor="1F3A5F")
HEADER_FONT = Font(bold=True, color="FFFFFF")
LABEL_FONT = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
MIN_WIDTH, MAX_WIDTH = 12, 60


def sheet_title(title: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = re.sub(r"[\[\]:*?/\\]", "-", title)[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def _text_cell(ws, row: int, column: int, value: str):
    """Write `value` as text, always: register content that starts with '=' must not become a formula."""
    cell = ws.cell(row=row, column=column)
    # Control characters pasted into the register are not allowed in XLSX: drop them rather than fail.
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value
    if isinstance(value, str) and value:
        cell.data_type = "s"
    cell.alignment = WRAP_TOP
    return cell


def _width(values: list[str]) -> int:
    longest = max((len(line) for v in values for line in (v or "").splitlines() or [""]), default=0)
    return max(MIN_WIDTH, min(MAX_WIDTH, longest + 2))


def render(document: Document) -> bytes:
    workbook = Workbook()
    taken: set[str] = set()
    with translation.override(document.language):
        cover = workbook.active
        cover.title = sheet_title(_("Cover") if not document.template.language else "Couverture", taken)
        cover.append([document.title])
        cover["A1"].font = TITLE_FONT
        cover.append([document.template_name, document.authority])
        cover.append([])
        for row_number, (label, value) in enumerate(document.cover, start=4):
            _text_cell(cover, row_number, 1, label).font = LABEL_FONT
            _text_cell(cover, row_number, 2, value)
        cover.column_dimensions["A"].width = 40
        cover.column_dimensions["B"].width = 90

        for sheet in document.sheets:
            ws = workbook.create_sheet(sheet_title(sheet.title, taken))
            ws.append(sheet.headers)
            for cell in ws[1]:
                cell.fill, cell.font, cell.alignment = HEADER_FILL, HEADER_FONT, WRAP_TOP
            for row_number, cells in enumerate(sheet.rows, start=2):
                for column_number, value in enumerate(cells, start=1):
                    _text_cell(ws, row_number, column_number, value)
            for index, header in enumerate(sheet.headers, start=1):
                column = [header[:40]] + [r[index - 1] for r in sheet.rows]
                ws.column_dimensions[get_column_letter(index)].width = _width(column)
            ws.freeze_panes = "A2"
            if sheet.rows:
                ws.auto_filter.ref = ws.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
