"""Template helpers of the staff pages: navigation by role, and small display filters."""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yekuo.accounts.permissions import can
from yekuo.intake.selectors import works_queue
from yekuo.web import labels

register = template.Library()


BULLETIN_READERS = ("dispatcher", "branch_manager", "department_manager", "administrator", "auditor")


@register.simple_tag(takes_context=True)
def nav_items(context) -> list[dict]:
    """Only links to what the user's roles may do (R15): nobody is shown a page that would be a 403."""
    request = context.get("request")
    user = getattr(request, "user", None)
    current = getattr(getattr(request, "resolver_match", None), "url_name", "")
    if user is None or not user.is_authenticated:
        # Customers do not sign in: they apply online and open their own application by its number and a code
        # sent to their phone (R1, R15; yekuo/customers).
        return [
            {"url": reverse("customer_apply"), "name": _("网上办电"), "key": "customer_apply",
             "active": current == "customer_apply"},
            {"url": reverse("customer_track"), "name": _("办电进度查询"), "key": "customer_track",
             "active": current == "customer_track"},
        ]  # fmt: skip
    items = []
    if can(user, "order.view") and (user.role_codes & {"acceptance_clerk", "customer_manager", "project_manager"}):
        items.append({"url": reverse("my_work"), "name": _("我的待办"), "key": "my_work"})
    if can(user, "order.view"):
        items.append({"url": reverse("order_list"), "name": _("工单列表"), "key": "order_list"})
    if can(user, "order.create"):
        items.append({"url": reverse("order_create"), "name": _("营业厅受理"), "key": "order_create"})
    if works_queue(user):
        items.append({"url": reverse("intake_queue"), "name": _("审核派单"), "key": "intake_queue"})
    if can(user, "order.view") and not (user.role_codes and user.role_codes <= {"integration"}):
        items.append({"url": reverse("reserve_library"), "name": _("储备库"), "key": "reserve_library"})
    if can(user, "suspension.review"):
        items.append({"url": reverse("reviews"), "name": _("暂停审核"), "key": "reviews"})
    if can(user, "audit.view"):
        items.append({"url": reverse("audit_reveals"), "name": _("个人信息查看记录"), "key": "audit_reveals"})
        items.append({"url": reverse("audit_sign_ins"), "name": _("登录记录"), "key": "audit_sign_ins"})
    if can(user, "visit.view"):  # R11, R12: the month's return visits and normativity
        items.append({"url": reverse("visit_list"), "name": _("回访"), "key": "visit_list"})
        items.append({"url": reverse("normativity"), "name": _("业务规范性"), "key": "normativity"})
    # The monthly bulletin and assessment (R12, R13): for those who control, not for the node workers.
    if can(user, "order.view") and (user.is_superuser or user.role_codes & set(BULLETIN_READERS)):
        items.append({"url": reverse("bulletin_index"), "name": _("月度通报"), "key": "bulletin_index"})
        items.append({"url": reverse("assessment_index"), "name": _("绩效考核"), "key": "assessment_index"})
    if user.is_staff:
        items.append({"url": reverse("admin:index"), "name": _("管理后台"), "key": "admin"})
    for item in items:
        item["active"] = item["key"] == current
    return items


@register.filter
def roles_text(user) -> str:
    return labels.join(labels.role(code) for code in sorted(getattr(user, "role_codes", ())))


@register.filter
def node_name(code: str) -> str:
    """A node's (or a clock's: its first node's) name from the vocabulary."""
    return labels.node(code)


@register.filter
def percent(value) -> str:
    """A probability as a whole percentage (0.734 → 73%), the way the breach risk is shown (O12)."""
    if value is None:
        return ""
    return f"{round(float(value) * 100)}%"


@register.filter
def local(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An instant in Asia/Shanghai (the settings' zone), the way every page and export writes it."""
    if not value:
        return ""
    return timezone.localtime(value).strftime(fmt)


@register.filter
def reason_label(reason) -> str:
    """A suspension reason's name in the page's language."""
    return labels.reason(reason)
