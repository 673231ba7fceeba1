"""CSV that a spreadsheet opens as data, never as formulas (CSV / formula injection).

Excel, LibreOffice and Google Sheets evaluate a cell that starts with ``=``, ``+``, ``-`` or ``@``, and some
importers strip a leading TAB or carriage return first and then see one; so register text such as
``=HYPERLINK(...)`` or ``@SUM(...)`` would run when an auditor opens the export. Every CSV the product writes
goes through the writers here, which prefix such a text cell with a single quote ``'`` (OWASP's advice: the
spreadsheet shows the text, the quote marks it as text).

Only text is neutralised. Numbers handed over as numbers (``int``, ``float``, ``Decimal``) are written as they
are, so a real ``-3`` in a numeric column stays a number; a caller that has a number keeps it a number rather
than formatting it to text first. Text that merely looks like a number (``"-3"``) is prefixed like any other
text: telling a harmless ``-3`` from ``-3+cmd|...`` by parsing is where filters go wrong.

    writer = csvsafe.writer(buffer, lineterminator="\\r\\n")   # same arguments as csv.writer
    writer.writerow(["Name", "=1+1"])                          # Name,'=1+1
"""
from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """`value` as a spreadsheet cell that cannot start a formula: text starting with a trigger gets a leading
    ``'``; anything else (numbers, None, other text) is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class SafeWriter:
    """A csv writer (from `csv.writer`) whose every cell is passed through `neutralise`."""

    def __init__(self, csv_writer: Any) -> None:
        self._writer = csv_writer

    @property
    def dialect(self) -> Any:
        return self._writer.dialect

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralise(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class SafeDictWriter(csv.DictWriter):
    """`csv.DictWriter` whose every cell, the header row's too, is passed through `neutralise`."""

    def __init__(self, file: Any, fieldnames: Sequence[str], *args: Any, **kwargs: Any) -> None:
        super().__init__(file, fieldnames, *args, **kwargs)
        self.writer = SafeWriter(self.writer)


def writer(file: Any, dialect: str | type[csv.Dialect] = "excel", **fmtparams: Any) -> SafeWriter:
    """Drop-in for `csv.writer` (same arguments) that neutralises formula cells."""
    return SafeWriter(csv.writer(file, dialect, **fmtparams))


DictWriter = SafeDictWriter  # drop-in for `csv.DictWriter`, under csv's own name
