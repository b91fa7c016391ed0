"""The acceptance slip (受理回执, R1): a printable page and a PDF in Chinese with the order number, the promised
time of each node from the order's regulation, and a QR code carrying the signed, expiring link to the order's
progress page (`access.link_url`). The PDF is rendered as the commitment letter is (`approvals.letter`:
WeasyPrint with the bundled Noto Sans SC, no system font assumed); the QR code is segno's."""

from __future__ import annotations

from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import override

from yekuo.common.pdf_fonts import font_faces
from yekuo.customers import access, selectors


def qr(number: str):
    import segno

    return segno.make(access.link_url(number), error="m")


def slip_context(order) -> dict:
    """What the slip says, in Chinese whatever the page's language (it is a document handed to the customer)."""
    code = qr(order.number)
    with override("zh-hans"):
        facts = selectors.slip(order)
    return {
        **facts,
        "link": access.link_url(order.number),
        "qr_svg": code.svg_inline(scale=4, dark="#000", light="#fff"),
        "qr_png": code.png_data_uri(scale=4),
    }


def slip_pdf(order) -> bytes:
    return document_pdf("customers/slip_pdf.html", {"slip": slip_context(order)})


def document_pdf(template: str, context: dict) -> bytes:
    """A customer's document (the slip, the supply contract) as a PDF, styled by slip.css."""
    from weasyprint import CSS, HTML  # imported when needed: it loads Pango
    from weasyprint.text.fonts import FontConfiguration

    html = render_to_string(template, context)
    css = Path(finders.find("customers/slip.css")).read_text(encoding="utf-8")
    fonts = FontConfiguration()
    style = CSS(string=font_faces() + "\n" + css, font_config=fonts)
    return HTML(string=html).write_pdf(stylesheets=[style], font_config=fonts)
