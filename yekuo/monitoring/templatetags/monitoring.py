"""The inbox link with its unread count, for the navigation bar (R10)."""

from django import template

from yekuo.monitoring.selectors import unread_count

register = template.Library()


@register.inclusion_tag("monitoring/_inbox_link.html", takes_context=True)
def inbox_link(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    current = getattr(getattr(request, "resolver_match", None), "url_name", "")
    return {"show": True, "unread": unread_count(user), "active": current == "inbox"}
