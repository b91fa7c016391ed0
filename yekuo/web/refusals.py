"""The services' refusals as the pages say them: in the page's language, times in Asia/Shanghai (O5, O8).

The services, the fold and the write path speak English with stable codes (the API and the console show
their messages as they are; docs/api.md), and put the names of events, nodes and times in their messages
as codes and ISO timestamps. A page shows neither: each refusal that can reach a form is listed here as
the pattern of its English message and a Chinese msgid (English in yekuo/locale), whose values are shown
the way the pages show them — an event by its name, a node by its regulation's name, a status by its
label, a time as "2026-11-02 10:00" in Asia/Shanghai.

A message that already speaks the page's language (the data rules of `orders.validation`, the upload
checks) is shown as it is. A message that matches nothing here is never shown raw on a Chinese page: the
page says what kind of refusal it is and asks to check the entry, and the message is logged so that it
can be added (tests/test_refusals.py checks that every message the order services raise has a pattern).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yekuo.common.errors import YekuoError
from yekuo.web import labels

logger = logging.getLogger(__name__)

TIME_FORMAT = "%Y-%m-%d %H:%M"  # as the pages' `local` filter writes an instant


def local_time(value: str) -> str:
    """An ISO timestamp (any offset) as the pages write a time: Asia/Shanghai, to the minute."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return value
    if parsed.tzinfo is None:
        return value
    return timezone.localtime(parsed).strftime(TIME_FORMAT)


def _status(code: str) -> str:
    from yekuo.orders.models import OrderStatus

    return str(dict(OrderStatus.choices).get(code, code))


def _node(spec) -> Callable[[str], str]:
    return lambda code: labels.node(code.strip("'\""), spec)


def _nodes(spec) -> Callable[[str], str]:
    """A comma-separated list of node codes, or of "code (name)" items, as names joined by 、."""
    codes = re.compile(r"([a-z][a-z0-9_]*)(?:\s*\([^)]*\))?")
    return lambda text: labels.join(labels.node(code, spec) for code in codes.findall(text))


def _before(spec) -> Callable[[str], str]:
    """What a node waits for: other nodes, or a customer event (`node X cannot be completed before E`)."""
    return lambda text: labels.event(text) if "." in text else _nodes(spec)(text)


def _quoted(text: str) -> str:
    return text.strip("'\"")


@dataclass(frozen=True)
class Refusal:
    pattern: re.Pattern
    text: Promise  # a Chinese msgid with the pattern's group names as %(name)s
    show: dict[str, str]  # group name -> how its value is shown: time, event, node, nodes, before, status, …

    def render(self, found: re.Match, spec) -> str:
        shown = {
            "time": local_time,
            "event": labels.event,
            "node": _node(spec),
            "nodes": _nodes(spec),
            "before": _before(spec),
            "status": _status,
            "category": labels.category,
            "role": labels.role,
            "quoted": _quoted,
        }
        values = {
            name: shown[self.show[name]](value) if name in self.show else value
            for name, value in found.groupdict().items()
        }
        return gettext(str(self.text)) % values


def _r(pattern: str, text, **show) -> Refusal:
    return Refusal(re.compile(pattern, re.DOTALL), text, show)


EVENT = r"(?P<event>[a-z_]+\.[a-z_]+)"
AT = r"(?P<at>\S+)"
# The prefixes the write path puts before a fold's refusal: the order's number, and the event refused with
# its time. On the order's own page, with the action just taken, they say nothing new: they are dropped.
PREFIXES = (
    re.compile(r"^YK\d+: "),  # store.insert_order numbers orders YK + year, month and a sequence
    re.compile(r"^[a-z_]+\.[a-z_]+ at \S+: "),
)

REFUSALS = (
    # ---------------------------------------------------------------- time of an entry (services/write.py)
    _r(r"occurred_at (?P<at>\S+) is in the future", _("补录时间 %(at)s 晚于当前时间"), at="time"),
    _r(
        r"occurred_at (?P<at>\S+) is before the order was created \((?P<created>\S+)\)",
        _("补录时间 %(at)s 早于工单创建时间 %(created)s"),
        at="time",
        created="time",
    ),
    _r(r"occurred_at must include a UTC offset", _("补录时间须带时区")),
    _r(
        r"an entry back-dated by more than (?P<minutes>\d+) minutes needs a reason.*",
        _("早于当前时间 %(minutes)s 分钟以上的补录须填写补录原因，补录将列入月度核查"),
    ),
    # ---------------------------------------------------------------- who (services/write.py, permissions)
    _r(r"an action on an order needs a signed-in user", _("请先登录")),
    _r(r"\S+ may not act on orders of (?P<branch>.+)", _("您无权办理%(branch)s的工单")),
    _r(r"\S+ may not (?P<action>[a-z_.]+) \(.*\)", _("您的角色无权执行此操作")),
    _r(
        r"node (?P<node>\S+) is worked by the (?P<role>\S+) role, which .+ does not hold",
        _("节点“%(node)s”由%(role)s办理，您没有该角色"),
        node="node",
        role="role",
    ),
    _r(
        r"(?P<event>\S+) is recorded by yekuo itself, never by a person",
        _("“%(event)s”由系统记录，不能手工登记"),
        event="event",
    ),
    _r(r"(?P<event>\S+) is not accepted from another system", _("“%(event)s”不能由外部系统登记"), event="event"),
    # ---------------------------------------------------------------- suspensions (services/write.py)
    _r(r"unknown suspension reason (?P<reason>.+?); use one of: .*", _("未知的暂停原因：%(reason)s"), reason="quoted"),
    _r(
        r"suspension reason (?P<reason>.+) needs evidence: a note or a file",
        _("暂停原因“%(reason)s”须提供证明：填写证明说明或上传证明文件"),
    ),
    # ---------------------------------------------------------------- concurrent actions (services/write.py)
    _r(r"the order kept changing while these events were recorded.*", _("工单正在被他人同时办理，请刷新页面后重试")),
    _r(r"these events were recorded concurrently.*", _("工单正在被他人同时办理，请刷新页面后重试")),
    _r(r"a key repeats within the batch", _("同一批次中有重复的幂等键")),
    # ---------------------------------------------------------------- the workflow (projection.py)
    _r(
        EVENT + r" at " + AT + r" is earlier than the event before it \((?P<before>\S+)\).*",
        _("“%(event)s”的时间 %(at)s 早于上一事项的时间 %(before)s；事项须按发生先后登记"),
        event="event",
        at="time",
        before="time",
    ),
    _r(r"unknown event type (?P<event>\S+); known: .*", _("未知的事项类型：%(event)s"), event="quoted"),
    _r(r"entry\.reviewed needs seq .*", _("核实补录须指明补录事项和结论")),
    _r(r"the order was already received at " + AT, _("工单已于 %(at)s 接收"), at="time"),
    _r(r"the order is (?P<status>\w+); it cannot be received", _("工单状态为“%(status)s”，不能接收"), status="status"),
    _r(
        r"node (?P<node>\S+) is already complete; it cannot be assigned",
        _("节点“%(node)s”已完成，不能再指派"),
        node="node",
    ),
    _r(
        r"node (?P<node>\S+) was already completed at " + AT,
        _("节点“%(node)s”已于 %(at)s 完成"),
        node="node",
        at="time",
    ),
    _r(
        r"node (?P<node>\S+) cannot be completed before (?P<before>.+)",
        _("节点“%(node)s”须在“%(before)s”之后才能完成"),
        node="node",
        before="before",
    ),
    _r(r"approval\.decided needs low_risk: true or false.*", _("请选择是否简易低风险")),
    _r(r"the approval node is already complete; .*", _("行政审批节点已完成，审批方式和时限不能再更改")),
    _r(r"suspension\.started needs a reason code", _("请选择暂停原因")),
    _r(r"a suspension needs a reason code.*", _("请选择暂停原因")),
    _r(r"the order is not suspended", _("工单没有暂停计时")),
    _r(r"rejecting a suspension needs a note saying why", _("驳回时须填写审核意见，说明理由")),
    _r(r"a (?P<status>\w+) order cannot be cancelled", _("“%(status)s”的工单不能撤销"), status="status"),
    _r(r"only a cancelled order can be reopened", _("只有已撤销的工单才能重新开启")),
    _r(r"order\.reopened needs a reason|reopening an order needs a reason", _("请填写重新开启原因")),
    _r(r"cancelling an order needs a reason", _("请填写撤销原因")),
    _r(
        r"category (?P<category>\S+) has no node (?P<node>\S+); it has: .*",
        _("%(category)s没有节点“%(node)s”"),
        category="category",
        node="quoted",
    ),
    _r(
        EVENT + r": the order is (?P<status>\w+)",
        _("工单状态为“%(status)s”，不能登记“%(event)s”"),
        event="event",
        status="status",
    ),
    _r(EVENT + r": the order has not been received yet", _("工单尚未接收，不能登记“%(event)s”"), event="event"),
    _r(
        EVENT + r": the order is suspended; resume it first",
        _("工单正在暂停计时，请先恢复计时，再登记“%(event)s”"),
        event="event",
    ),
    _r(
        r"category (?P<category>\S+) has no step started by " + EVENT,
        _("%(category)s没有由“%(event)s”开始的环节"),
        category="category",
        event="event",
    ),
    _r(EVENT + r" was already recorded for \S+", _("“%(event)s”已经登记过"), event="event"),
    _r(
        EVENT + r" cannot come yet: it starts (?P<node>\S+) \(.*?\), and (?P<waiting>.+) has not begun; .*",
        _(
            "现在还不能登记“%(event)s”：它开始的“%(node)s”要等“%(waiting)s”开始后才能办理"
            "（附件1：客户侧工程与业扩配套工程同步开展）"
        ),
        event="event",
        node="node",
        waiting="nodes",
    ),
    _r(EVENT + r" needs the position of one of the order's suspensions", _("请指明要审核的暂停")),
    _r(r"suspension \d+ is not awaiting review", _("该暂停不在待审核状态，可能已由他人审核")),
    _r(r"the node is required", _("请选择节点")),
    _r(r"order\.edited needs changes: .*", _("没有需要修改的内容")),
    _r(r"inputs: .*", _("审批认定依据有误，请核对各项事实（见审批认定规则）")),
    # ---------------------------------------------------------------- reviews (suspension_review, entry_review)
    _r(r"\S+ has no suspension \S+", _("工单没有该暂停")),
    _r(r"a suspension is reviewed by a second person.*", _("暂停计时须由另一人审核，不能由暂停人本人审核")),
    _r(r"\S+ has no back-dated entry \S+", _("工单没有该补录")),
    _r(r"entry \S+ of \S+ was already reviewed", _("该补录已经核实过")),
    _r(r"a back-dated entry is checked by a second person.*", _("补录须由另一人核实，不能由补录人本人核实")),
    _r(r"disputing a back-dated entry needs a note saying why", _("有异议时须填写审核意见，说明理由")),
    # ---------------------------------------------------------------- dispatch and joint application (R3, R4)
    _r(r"a cancelled order cannot be moved to another branch", _("已撤销的工单不能转派")),
    _r(r"order\.transferred needs the branch it moves to", _("请选择转派至的分公司")),
    _r(
        EVENT + r": only an application not yet dispatched can be returned or rejected",
        _("只有尚未派单的申请才能退回或驳回"),
    ),
    _r(r"moving an order to another branch needs a reason", _("请填写转派原因")),
    _r(r"returning an application needs a reason", _("请填写退回原因")),
    _r(r"rejecting an application needs a reason", _("请填写驳回原因")),
    _r(r"joint\.offered needs accepted: true or false.*", _("请选择客户是否联合报装")),
    _r(r"units must be distinct codes of: .*", _("联合报装单位有误，请重新选择")),
    _r(r"a joint application taken needs at least one unit.*", _("请选择至少一个联合报装单位")),
    _r(r"a joint application declined has no units", _("客户不需要联合报装时不能选择单位")),
    # ---------------------------------------------------------------- the customer's rating (R1, yekuo/customers)
    _r(r"\S+: the customer rates an energized order; this one is \w+", _("正式接电后才能评价服务")),
    _r(r"customer\.rated needs score: .*", _("请选择1至5星评价")),
    _r(r"customer\.rated needs comment: .*", _("意见和建议不超过500字")),
    _r(r"customer\.rated has only score and comment", _("评价只包含星级和意见")),
    # ---------------------------------------------------------------- the contract signed online (R1, customers)
    _r(r"\S+: the contract is signed once the supply plan is answered \(\w+ done\)", _("供电方案答复后才能签订合同")),
    _r(r"customer\.contract_signed needs version: .*", _("合同文本版本有误")),
    _r(r"customer\.contract_signed needs sha256: .*", _("合同文件摘要有误")),
    _r(r"customer\.contract_signed has only version and sha256", _("合同签署记录只包含文本版本和文件摘要")),
    # ---------------------------------------------------------------- the works' approval (approvals, R6, R7)
    _r(
        r"order \S+ is (?P<status>\w+): its works can no longer be recorded",
        _("工单状态为“%(status)s”，不能再登记配套工程事项"),
        status="status",
    ),
    _r(r"an override of the classification needs a reason.*", _("改变系统判定须填写理由，将列入业务规范性核查")),
    _r(
        r"the filing of these works is recorded; the decision can no longer change",
        _("已办理告知承诺备案，判定不能再更改"),
    ),
    _r(
        r"the approval of these works was submitted; the decision can no longer change",
        _("行政审批已提交，判定不能再更改"),
    ),
    _r(r"record the facts of the works and the decision first.*", _("请先登记配套工程的事实并完成判定")),
    _r(r"these works need an approval, not a filing.*", _("该工程须办理行政审批，不适用告知承诺备案")),
    _r(
        r"these works are low-risk: they are filed, not approved.*", _("该工程为简易低风险，办理告知承诺备案，无需审批")
    ),
    _r(r"these works .+ \(R6\)", _("判定结果与所办事项不符，请核对是备案还是审批")),
    _r(r"the filing of these works is already recorded", _("告知承诺备案已办理")),
    _r(r"name at least one authority the application goes to", _("请填写至少一个审批部门")),
    _r(r"the approval of these works is already submitted", _("行政审批已提交")),
    _r(r"the submission cannot precede the decision", _("提交时间不能早于判定时间")),
    _r(r"verdict must be one of .*", _("请选择审批结论")),
    _r(r"the approval has not been submitted", _("行政审批尚未提交")),
    _r(r"the approval is already granted", _("行政审批已批准")),
    _r(r"(?P<authority>.+) is not one of .*", _("%(authority)s不在已提交的审批部门中"), authority="quoted"),
    _r(r"an answer cannot precede the submission", _("答复时间不能早于提交时间")),
    _r(r"the time must include a UTC offset", _("时间须带时区")),
    _r(r"the time is in the future", _("时间晚于当前时间")),
    _r(r"the time is before what it answers", _("时间早于所答复的事项")),
    _r(r"owner_kind must be one of .*", _("请选择管线权属类别")),
    _r(r"this consultation is already answered.*", _("该征询已答复；如有新的冲突请另行登记")),
    _r(r"this conflict is already resolved", _("该冲突已处理")),
    _r(r".+ (?:is required|contains a NUL character)", _("请完整填写此项，不要包含控制字符")),
    # ---------------------------------------------------------------- return visits (visits/services.py, R11)
    _r(r"the sample is at least 1 order per branch and category", _("抽取数量至少为每个分公司、每类业务 1 户")),
    _r(r"channel must be one of: .*", _("请选择回访方式")),
    _r(r"reached must be true or false", _("请选择是否联系上客户")),
    _r(r"a customer not reached gives no .*", _("未联系上客户时，不填写满意度、办理时间和问题")),
    _r(r"satisfaction \(1–5\) is required when the customer was reached", _("联系上客户时须选择满意度（1–5）")),
    _r(r"satisfaction is 1 to 5", _("满意度为 1 至 5")),
    _r(r"the node the customer disagrees on is one of: .*", _("请选择与系统记录不一致的环节")),
    _r(r"the days of difference are a whole number, not 0.*", _("相差天数须为非零整数（客户所述较早为负数）")),
    _r(r"time_agrees must be true or false", _("请选择客户所述办理时间与系统记录是否一致")),
    _r(r"unknown problem category (?P<code>.+?); use one of: .*", _("未知的问题类别：%(code)s"), code="quoted"),
    _r(r"no visit \S+", _("没有这条回访记录")),
    _r(r"no such problem", _("没有这个问题")),
    _r(r"the problem is closed", _("该问题已办结，无需再记录处理情况")),
    _r(r"say what was done", _("请填写处理情况")),
    _r(r"(?P<name>.+) is not a visitor of (?P<branch>.+)", _("%(name)s 不是%(branch)s的回访人员")),
    # ---------------------------------------------------------------- others
    _r(r"(?P<event>\S+) is not a customer event", _("“%(event)s”不是客户事项"), event="quoted"),
    _r(r"type (?P<event>\S+) is not one of: .*", _("未知的事项类型：%(event)s"), event="quoted"),
    _r(
        r"(?P<name>.+) cannot open orders of (?P<branch>.+?) \(inactive, or outside their scope\).*",
        _("%(name)s 无法查看%(branch)s的工单（已停用或不在其范围内），请指派给该分公司或全公司范围的人员"),
    ),
    _r(r"no regulation is in force on (?P<date>\S+?):.*", _("%(date)s 没有生效的业扩时限规定")),
    _r(
        r".* is outside the loaded calendar .*|.*after the last loaded calendar day.*|no working time after .*",
        _("时间超出已载入的工作日历，请先载入该年度的日历"),
    ),
)


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def localize(message: str, spec=None) -> str | None:
    """The page's wording of one English refusal, or None when no pattern knows it."""
    for prefix in PREFIXES:
        message = prefix.sub("", message, count=1)
    for refusal in REFUSALS:
        found = refusal.pattern.fullmatch(message.strip())
        if found:
            return refusal.render(found, spec)
    return None


def page_message(error: YekuoError, message: str, spec=None) -> str:
    """What a page shows for one message of a service's refusal."""
    shown = localize(message, spec)
    if shown is not None:
        return shown
    if _has_chinese(message):
        return message  # already in the reader's language (orders.validation, common.uploads)
    if labels.english():
        return message
    logger.warning("A refusal without a page wording (%s): %s", error.code, message)
    return gettext("操作未能完成，请检查填写的内容后重试；如仍不能完成，请联系系统管理员。")
