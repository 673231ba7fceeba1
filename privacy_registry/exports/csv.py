"""CSV: every sheet's rows in one table. The first column names the record (controller / processor); the other
columns are the union of the sheets' headers in template order, empty where a sheet has no such column.
UTF-8 with a byte-order mark, so spreadsheet programs read å, ä, ö and accents right. Cells that a spreadsheet
would take for a formula are neutralised (privacy_registry.csvsafe)."""
from __future__ import annotations

import io

from django.utils import translation
from django.utils.translation import gettext as _

from .. import csvsafe
from .document import Document


def record_column(document: Document) -> str:
    with translation.override(document.language):
        return _("Record")


def render(document: Document) -> bytes:
    headers: list[str] = []
    for sheet in document.sheets:
        headers += [h for h in sheet.headers if h not in headers]
    buffer = io.StringIO()
    writer = csvsafe.writer(buffer, lineterminator="\r\n")
    writer.writerow([record_column(document), *headers])
    for sheet in document.sheets:
        for row in sheet.as_dicts():
            writer.writerow([sheet.title, *(row.get(h, "") for h in headers)])
    return buffer.getvalue().encode("utf-8-sig")
