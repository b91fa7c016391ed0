"""The commitment letter (告知承诺书) of the filing of simple low-risk works (notice §2 ¶1: 实行告知承诺备案制
管理): a printable page and a PDF in Chinese, from the order's facts and its R6 decision.

The PDF is rendered by WeasyPrint with Noto Sans SC (OFL) from npm `@fontsource/noto-sans-sc`, copied into
`yekuo/web/static/vendor/fonts/` by `make assets`: no system font is assumed. The bundled subsets cover
the 7,946 characters of simplified Chinese in common use and Latin; a rarer character in a customer's
name falls back to whatever font the system has.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from yekuo.approvals.filing import letter_number
from yekuo.approvals.models import Filing
from yekuo.approvals.selectors import current_decision
from yekuo.common.errors import InvalidInput
from yekuo.common.pdf_fonts import font_faces
from yekuo.web import labels


def letter_context(order) -> dict:
    """What the letter says; refused unless the order's current decision is low-risk. A decision a manager
    overrode says so, with the reason, instead of promising that every condition is met (R6)."""
    decision = current_decision(order)
    if decision is None or not decision.low_risk or decision.limit_days is None:
        raise InvalidInput("a commitment letter is for works decided simple low-risk (R6)", field="decision")
    filing = Filing.objects.filter(order=order).select_related("filed_by").first()
    signer = filing.filed_by if filing else decision.recorded_by
    return {
        "number": letter_number(order),
        "filed": filing is not None,
        "order": order,
        "category": labels.category(order.category),
        "decision": decision,
        "reasons": decision.classification,
        "route": "、".join(decision.facts.get("route") or ()),
        "document": "鄂电营销〔2022〕64号",
        "company": order.branch.company.name,
        "branch": order.branch.name,
        "signer": str(signer),  # the person's name (a login only for a user without one)
        "overrider": str(decision.recorded_by),
        "date": timezone.localtime(filing.filed_at if filing else timezone.now()).date(),
    }


def letter_pdf(order) -> bytes:
    """The letter as a PDF (A4, one page for the usual facts)."""
    context = letter_context(order)  # refusals first: WeasyPrint is loaded only for a letter to render
    from weasyprint import CSS, HTML  # imported when needed: it loads Pango
    from weasyprint.text.fonts import FontConfiguration

    html = render_to_string("approvals/letter_pdf.html", {"letter": context})
    css = Path(finders.find("approvals/letter.css")).read_text(encoding="utf-8")
    fonts = FontConfiguration()  # the @font-face rules reach the layout only through the one configuration
    style = CSS(string=font_faces() + "\n" + css, font_config=fonts)
    return HTML(string=html).write_pdf(stylesheets=[style], font_config=fonts)
