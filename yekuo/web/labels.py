"""Display names for the codes the pages show (Chinese msgids; English in yekuo/locale).

The vocabularies themselves (categories, channels, nodes, roles) are plain Chinese strings in code
modules owned by other apps; `label()` passes them through gettext at display time so that the English
catalogue can translate them without those modules importing translation machinery.
"""

from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from yekuo.accounts.codes import ROLES
from yekuo.orders import events
from yekuo.regulations.codes import CATEGORIES, CHANNELS, NODES

CLOCK_STATES = {
    "not_started": _("未开始"),
    "running": _("计时中"),
    "paused": _("暂停"),
    "done": _("已完成"),
    "cancelled": _("已撤销"),
    "overdue": _("超期"),
    "warning": _("预警"),
}
NODE_STATES = {"waiting": _("等待"), "active": _("办理中"), "done": _("已完成"), "cancelled": _("已撤销")}
NODE_NOT_REACHED = _("不再办理")  # a node the cancelled order never reached
# A service error names its kind by code; the page shows the kind in words before the message.
ERROR_KINDS = {
    "forbidden": _("无权操作"),
    "workflow": _("流程不允许"),
    "invalid_input": _("输入有误"),
    "conflict": _("操作冲突"),
    "out_of_calendar": _("超出日历范围"),
    "not_found": _("未找到"),
}
# The review of a suspension (I5): "" needs none.
REVIEWS = {"pending": _("待审核，计时照常"), "approved": _("已审核同意"), "rejected": _("已驳回，不计暂停")}
REVIEW_REASONS = {"self": _("本人暂停本人计时"), "backdated": _("补录"), "long": _("暂停时间过长")}
ALARMS = {"warning": _("预警"), "overdue": _("超期"), "any": _("预警或超期")}
# The time-limit state of an active node from its own clock (R9, R10; monitoring.snapshot.node_state).
TIME_STATES = {"normal": _("正常"), "warning": _("预警"), "overdue": _("超期"), "suspended": _("暂停")}


def english() -> bool:
    return (get_language() or "").startswith("en")


def join(items) -> str:
    """Items listed as the page's language lists them: 甲、乙 in Chinese, "A, B" in English."""
    return (", " if english() else "、").join(str(item) for item in items)


def label(vocabulary: dict[str, str], code: str) -> str:
    """The display name of a code, translated; the code itself when unknown."""
    name = vocabulary.get(code)
    return gettext(name) if name else code


def category(code: str) -> str:
    return label(CATEGORIES, code)


def channel(code: str) -> str:
    return label(CHANNELS, code)


def role(code: str) -> str:
    return label(ROLES, code)


def node(code: str, spec=None) -> str:
    """A node's name as its regulation prints it (name_en on English pages)."""
    if spec is not None and spec.has_node(code):
        found = spec.node(code)
        return found.name_en if english() and found.name_en else found.name
    return label(NODES, code)


def event(code: str) -> str:
    return events.label(code)  # the registry of event types names each one


def reason(suspension_reason) -> str:
    """A suspension reason row's name in the page's language."""
    if suspension_reason is None:
        return ""
    return suspension_reason.name_en if english() and suspension_reason.name_en else suspension_reason.name
