"""XLSX: a cover sheet (controller, representative, DPO, other contacts), then one sheet per record with a
styled, frozen header row and one row per purpose (per activity where the template keeps one fiche each)."""
from __future__ import annotations

import io
import re
from copy import copy
from itertools import chain

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
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


def _clean(value):
    # Control characters pasted into the register are not allowed in XLSX: drop them rather than fail.
    if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _cell(ws, value, *, font: Font | None = None, fill: PatternFill | None = None):
    """A styled cell for the few cells that differ (titles, labels, headers)."""
    cell = _text(ws, value, None)
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    cell.alignment = WRAP_TOP
    return cell


def _text(ws, value, style):
    """Write `value` as text, always: register content that starts with '=' must not become a formula.
    `style` is a shared style array (wrapped, top-aligned): one style record for every body cell."""
    cell = WriteOnlyCell(ws, _clean(value))
    if isinstance(value, str) and value:
        cell.data_type = "s"
    if style is not None:
        cell._style = copy(style)
    return cell


def _width(values) -> int:
    longest = max((len(line) for v in values if v for line in v.splitlines()), default=0)
    return max(MIN_WIDTH, min(MAX_WIDTH, longest + 2))


def render(document: Document) -> bytes:
    """Streamed (write-only) workbook: rows go straight to the file, so a register of 10,000 activities does not
    build a worksheet of cell objects first. Widths, frozen header and filter are set before the rows."""
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    with translation.override(document.language):
        cover = workbook.create_sheet(sheet_title(_("Cover"), taken))
        cover.column_dimensions["A"].width = 40
        cover.column_dimensions["B"].width = 90
        cover.append([_cell(cover, document.title, font=TITLE_FONT)])
        cover.append([_cell(cover, document.template_name), _cell(cover, document.authority)])
        cover.append([])
        for label, value in document.cover:
            cover.append([_cell(cover, label, font=LABEL_FONT), _cell(cover, value)])

        for sheet in document.sheets:
            ws = workbook.create_sheet(sheet_title(sheet.title, taken))
            for index, header in enumerate(sheet.headers):
                column = chain([header[:40]], (r[index] for r in sheet.rows))
                ws.column_dimensions[get_column_letter(index + 1)].width = _width(column)
            ws.freeze_panes = "A2"
            ws.append([_cell(ws, h, font=HEADER_FONT, fill=HEADER_FILL) for h in sheet.headers])
            style = _cell(ws, "")._style  # wrapped, top-aligned: registered once, shared by every body cell
            for cells in sheet.rows:
                ws.append([_text(ws, value, style) for value in cells])
            if sheet.rows:
                ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.headers))}{len(sheet.rows) + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
