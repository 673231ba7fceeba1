"""PDF: the record as a document a DPO hands over. A title page (controller, representative, DPO, date),
a list of the activities, then a section per activity with the template's items: what holds for the whole
activity once, then what differs per purpose.

Fonts: ReportLab (pure Python, from PyPI) ships the Bitstream Vera TrueType faces in its own package;
they are embedded as subsets, so every Western European letter (Latin-1 and Windows-1252: å ä ö æ ø, é è ç
œ, ß…) renders as written, with no system font package. Characters Vera lacks (most of Latin Extended-A such
as ą ř ź, arrows, ticks, non-Latin scripts) are transliterated (NFKD base letter, or a close ASCII stand-in,
else "?") instead of printing as empty boxes. A deployment that has a wider font can name it in the
EXPORT_PDF_FONT / EXPORT_PDF_FONT_BOLD settings.
"""
from __future__ import annotations

import io
import os
import unicodedata
from functools import cache
from xml.sax.saxutils import escape

import reportlab
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from .document import Document, SheetData

FONT, FONT_BOLD = "RegistryVera", "RegistryVera-Bold"
STAND_INS = {
    "→": "->", "←": "<-", "✓": "v", "✔": "v", "✗": "x", "•": "·", "≤": "<=", "≥": ">=", "″": '"', "′": "'",
}
EMPTY = "—"


def font_files() -> tuple[str, str]:
    """Regular and bold TrueType files: Vera from ReportLab's package, unless settings name others
    (EXPORT_PDF_FONT / EXPORT_PDF_FONT_BOLD, e.g. a DejaVu Sans a deployment has, for wider coverage)."""
    folder = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
    regular = getattr(settings, "EXPORT_PDF_FONT", "") or os.path.join(folder, "Vera.ttf")
    bold = getattr(settings, "EXPORT_PDF_FONT_BOLD", "") or (
        regular if getattr(settings, "EXPORT_PDF_FONT", "") else os.path.join(folder, "VeraBd.ttf")
    )
    return regular, bold


@cache
def _fonts() -> frozenset[int]:
    """Register the fonts once; return the code points they can draw."""
    regular_file, bold_file = font_files()
    regular = TTFont(FONT, regular_file)
    pdfmetrics.registerFont(regular)
    pdfmetrics.registerFont(TTFont(FONT_BOLD, bold_file))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
    return frozenset(regular.face.charToGlyph)


def drawable(text: str) -> str:
    """`text` with every character the font lacks replaced by a readable stand-in."""
    glyphs = _fonts()
    out = []
    for char in text:
        if ord(char) in glyphs or char in "\n\t":
            out.append(char)
        elif char in STAND_INS:
            out.append(STAND_INS[char])
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", char) if ord(c) in glyphs)
            out.append(base or "?")
    return "".join(out)


def _styles() -> dict[str, ParagraphStyle]:
    _fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=11.5, alignment=TA_LEFT, splitLongWords=True)
    return {
        "body": body,
        "label": ParagraphStyle("label", parent=body, fontName=FONT_BOLD),
        "title": ParagraphStyle("title", parent=body, fontName=FONT_BOLD, fontSize=22, leading=27, spaceAfter=6 * mm),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontSize=12, leading=15, spaceAfter=10 * mm),
        "h1": ParagraphStyle("h1", parent=body, fontName=FONT_BOLD, fontSize=15, leading=19, spaceAfter=4 * mm),
        "h2": ParagraphStyle(
            "h2", parent=body, fontName=FONT_BOLD, fontSize=12, leading=15, spaceBefore=6 * mm, spaceAfter=2 * mm,
            textColor=colors.HexColor("#1F3A5F"),
        ),
        "h3": ParagraphStyle("h3", parent=body, fontName=FONT_BOLD, fontSize=10, leading=13, spaceBefore=3 * mm,
                             spaceAfter=1.5 * mm),
        "small": ParagraphStyle("small", parent=body, fontSize=7.5, leading=9, textColor=colors.grey),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    markup = escape(drawable(text or EMPTY)).replace("\n", "<br/>")
    return Paragraph(markup, style)


def _fields(pairs: list[tuple[str, str]], styles: dict[str, ParagraphStyle], width: float) -> Table:
    data = [[_p(label, styles["label"]), _p(value, styles["body"])] for label, value in pairs]
    return _table(data, width)


def _table(data: list[list[Paragraph]], width: float) -> Table:
    # Tables split between rows across pages; splitInRow also splits a single row whose text is taller than a
    # page (a very long free-text value), which would otherwise stop the whole document with a LayoutError.
    table = Table(data, colWidths=[width * 0.34, width * 0.66], splitInRow=1)
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#C8D0DA")),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F2F5F8")),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def _listing(sheets: list[SheetData], styles: dict[str, ParagraphStyle], width: float) -> Table:
    """The list of activities: one table row per activity, the record's name on the first row of its block, so
    the table splits across as many pages as a large register needs. (All names in one cell made a row taller
    than a page, which ReportLab cannot lay out.)"""
    data = []
    for sheet in sheets:
        activities = {}
        for activity in sheet.activities:  # one row per purpose: each activity once, in order
            activities.setdefault(activity.id, activity)
        titles = [_activity_title(a) for a in activities.values()] or [EMPTY]
        label = _p(sheet.title, styles["label"])
        data += [[label if n == 0 else "", _p(title, styles["body"])] for n, title in enumerate(titles)]
    return _table(data, width)


def _activity_title(activity) -> str:
    return f"{activity.reference} – {activity.name}" if activity.reference else activity.name


def _sheet_story(sheet: SheetData, styles, width: float) -> list:
    story = [PageBreak(), _p(sheet.title, styles["h1"])]
    groups: dict[int, list[int]] = {}
    for index, activity in enumerate(sheet.activities):
        groups.setdefault(activity.id, []).append(index)
    for indexes in groups.values():
        activity = sheet.activities[indexes[0]]
        rows = [sheet.rows[i] for i in indexes]
        # What holds for the whole activity is said once; what differs per purpose, per purpose.
        shared = [c for c in range(len(sheet.headers)) if len({r[c] for r in rows}) == 1]
        varying = [c for c in range(len(sheet.headers)) if c not in shared]
        story.append(_p(_activity_title(activity), styles["h2"]))
        story.append(_fields([(sheet.headers[c], rows[0][c]) for c in shared], styles, width))
        for number, row in enumerate(rows, start=1):
            if not varying:
                break
            heading = _("Purpose %(number)d") % {"number": number}
            story.append(KeepTogether([
                _p(heading, styles["h3"]),
                _fields([(sheet.headers[c], row[c]) for c in varying], styles, width),
            ]))
    return story


def render(document: Document) -> bytes:
    with translation.override(document.language):
        styles = _styles()
        buffer = io.BytesIO()
        record = document.record
        organisation = record.organisation.name
        date = record.date.isoformat()
        footer = f"{organisation} · {document.title} · {date}"

        def on_page(canvas, doc):
            canvas.saveState()
            canvas.setFont(FONT, 7.5)
            canvas.setFillColor(colors.grey)
            canvas.drawString(doc.leftMargin, 10 * mm, drawable(footer))
            canvas.drawRightString(A4[0] - doc.rightMargin, 10 * mm, str(doc.page))
            canvas.restoreState()

        pdf = SimpleDocTemplate(
            buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm, bottomMargin=18 * mm,
            title=drawable(f"{document.title}: {organisation}"), author=drawable(organisation),
            subject=drawable(document.template_name), creator="Privacy Registry",
        )
        width = pdf.width
        story = [
            _p(document.title, styles["title"]),
            _p(f"{organisation}\n{document.template_name} · {document.authority}", styles["subtitle"]),
            _fields(document.cover, styles, width),
            Spacer(1, 8 * mm),
            _p(document.template.basis and str(document.template.basis), styles["small"]),
        ]
        story += [PageBreak(), _p(_("Processing activities in this record"), styles["h1"])]
        story.append(_listing(document.sheets, styles, width))
        for sheet in document.sheets:
            story += _sheet_story(sheet, styles, width)
        pdf.build(story, onFirstPage=on_page, onLaterPages=on_page)
        return buffer.getvalue()
