"""The notice as a PDF, with the exports' fonts (ReportLab, see privacy_registry.exports.pdf): the stored text of
one version (or a draft the DPO previews), its headings and list items as written by ``consent.notice.render_text``.

Every page carries the organisation's name, which version it is (number and publication date, or "draft" for a
preview) and "page N of M", so a page printed or forwarded alone still says what it is a page of. M is known only
once the whole document is laid out: the canvas keeps each page until the end and then draws the running lines.
The running lines are in the active language: the caller renders inside ``translation.override(notice language)``.
"""
from __future__ import annotations

import io
from datetime import datetime
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from privacy_registry.exports.pdf import FONT, FONT_BOLD, drawable

MARGIN = 18 * mm


def _styles() -> dict[str, ParagraphStyle]:
    drawable("")  # registers the fonts
    body = ParagraphStyle("notice-body", fontName=FONT, fontSize=10, leading=13, spaceAfter=1.5 * mm)
    return {
        "body": body,
        "li": ParagraphStyle("notice-li", parent=body, leftIndent=5 * mm, bulletIndent=1 * mm),
        "h1": ParagraphStyle("notice-h1", parent=body, fontName=FONT_BOLD, fontSize=18, leading=22, spaceAfter=5 * mm),
        "h2": ParagraphStyle("notice-h2", parent=body, fontName=FONT_BOLD, fontSize=13, leading=16,
                             spaceBefore=5 * mm, spaceAfter=2 * mm),
        "h3": ParagraphStyle("notice-h3", parent=body, fontName=FONT_BOLD, fontSize=11, leading=14,
                             spaceBefore=3 * mm),
    }


def version_label(*, number: int | None, published_at: datetime | None) -> str:
    """Which notice this is, in the active language: "Version 3, published 8 December 2026", or "Draft"."""
    if number is None:
        return _("Draft (not published)")
    if published_at is None:
        return _("Version %(number)s") % {"number": number}
    date = date_format(timezone.localtime(published_at) if timezone.is_aware(published_at) else published_at,
                       "DATE_FORMAT")
    return _("Version %(number)s, published %(date)s") % {"number": number, "date": date}


def _running_canvas(*, organisation: str, version: str, page_words: str) -> type[Canvas]:
    """A canvas that holds its pages until the document is complete, then draws on each the organisation's name,
    the version and "page N of M" (``page_words`` is the translated pattern with %(page)s and %(pages)s)."""
    header_left, header_right = drawable(organisation), drawable(version)

    class RunningCanvas(Canvas):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._held_pages: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
            self._held_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held_pages)
            for state in self._held_pages:
                self.__dict__.update(state)
                self._draw_running_lines(total)
                super().showPage()
            super().save()

        def _draw_running_lines(self, total: int) -> None:
            width, height = self._pagesize
            self.saveState()
            self.setFont(FONT, 8)
            self.setFillColor(colors.grey)
            room = width - 2 * MARGIN - stringWidth(header_right, FONT, 8) - 6 * mm
            left = header_left
            while left and stringWidth(left, FONT, 8) > room:  # a long name gives way to the version, never over it
                left = left[:-2].rstrip() + "…"
            self.drawString(MARGIN, height - 11 * mm, left)
            self.drawRightString(width - MARGIN, height - 11 * mm, header_right)
            footer = drawable(page_words % {"page": self._pageNumber, "pages": total})
            self.drawRightString(width - MARGIN, 10 * mm, footer)
            self.restoreState()

    return RunningCanvas


def render_pdf(*, title: str, text: str, organisation: str, number: int | None = None,
               published_at: datetime | None = None) -> bytes:
    """The notice ``text`` as a PDF. ``number`` and ``published_at`` name the published version; leave ``number``
    out for a draft (the admin's preview)."""
    styles = _styles()
    story = []
    for line in text.splitlines():
        if not line.strip():
            continue
        for mark, style in (("### ", "h3"), ("## ", "h2"), ("# ", "h1")):
            if line.startswith(mark):
                story.append(Paragraph(escape(drawable(line[len(mark):])), styles[style]))
                break
        else:
            if line.startswith("- "):
                story.append(Paragraph(escape(drawable(line[2:])), styles["li"], bulletText=drawable("•")))
            else:
                story.append(Paragraph(escape(drawable(line)), styles["body"]))
    story.append(Spacer(1, 5 * mm))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=drawable(title), leftMargin=MARGIN, rightMargin=MARGIN,
                                 topMargin=MARGIN, bottomMargin=MARGIN)
    canvas = _running_canvas(
        organisation=organisation, version=version_label(number=number, published_at=published_at),
        page_words=_("Page %(page)s of %(pages)s"),
    )
    document.build(story, canvasmaker=canvas)
    return buffer.getvalue()
