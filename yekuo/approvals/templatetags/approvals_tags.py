"""Template helpers of the works pages: a time of the works' JSON shown as people read it, and the works'
summary on the order page (R6, R7)."""

from datetime import datetime

from django import template

register = template.Library()


@register.filter
def when(value) -> str:
    """'2026-11-02T15:00:00+08:00' (Asia/Shanghai, from view_model) → '2026-11-02 15:00'."""
    if not value:
        return ""
    try:
        return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return str(value)


@register.simple_tag
def works_summary(order) -> dict:
    """The current decision and what is open, for the card on the order page."""
    from yekuo.approvals.gate import open_items
    from yekuo.approvals.selectors import current_decision

    decision = current_decision(order)
    return {"decision": decision, "open": [text for _kind, text in open_items(order)]}
