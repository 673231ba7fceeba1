"""The published notice as a PDF, with the exports' fonts (ReportLab, see privacy_registry.exports.pdf): the
stored text of one version, its headings and list items as written by ``consent.notice.render_text``."""
from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from privacy_registry.exports.pdf import FONT, FONT_BOLD, drawable


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


def render_pdf(*, title: str, text: str) -> bytes:
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
    document = SimpleDocTemplate(buffer, pagesize=A4, title=drawable(title), leftMargin=18 * mm, rightMargin=18 * mm,
                                 topMargin=18 * mm, bottomMargin=18 * mm)
    document.build(story)
    return buffer.getvalue()
