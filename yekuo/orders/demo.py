"""Demo work orders: every category in every state, in every demo branch (O2, `yekuo demo`).

Each order is driven through the real services from a start some working days ago, one step at a time,
each step taking a share of its clock's limit (most on time, some late), until it reaches its target
step or the present. So the demo shows orders waiting for dispatch, in transit at every node, suspended,
overdue and in warning, energized and cancelled, with deadlines the engine really computed.
Idempotent: demo orders carry source_system "demo" and are made once; `yekuo demo --orders N` makes the
first N of the sequence (branch, then category, then variant, then further rounds), adding only those missing.

Customers belong to their branch: the address lies in one of its service areas (so the data rules of
`orders.validation` map it there), a resident's ID number and a company's credit code carry the region
code of the branch's banner or district, and every number has its check character.
"""

from __future__ import annotations

import math
import random
from datetime import datetime

from django.db.models import Count
from django.utils import timezone

from yekuo.accounts.models import Branch, User
from yekuo.common.errors import YekuoError
from yekuo.orders import services
from yekuo.orders.demo_bulk import copy_orders
from yekuo.orders.models import EventSource, OrderStatus, WorkOrder
from yekuo.orders.selectors import with_alarm_state
from yekuo.orders.validation import USCC_CHARS, resident_id_check, uscc_check
from yekuo.workcal.engine import to_epoch
from yekuo.workcal.selectors import work_table

SOURCE = EventSource.IMPORT
REASON = "演示数据"
DEFAULT_COUNT = 48  # every category in every state, in each of the four demo branches
# A larger book adds DRAWN orders (rounds 1 and 2 of the sequence), also made through the services, whose every
# step takes a share of its clock's limit drawn from one distribution (DRAWN_SHARE): some steps run late,
# whether the order is finished or still open. The copies of a large book are copies of these, so that its
# finished and open orders are one population (docs/breach-risk.md).
DRAWN = 96
TEMPLATES = DEFAULT_COUNT + DRAWN  # made through the services; further orders are copies of these (demo_bulk)
DRAWN_SHARE = (0.6, 0.45)  # the used share of a clock's limit: log-normal, median 0.6, σ 0.45 (≈ 13 % late)
# Per branch: the region code (GB/T 2260) of its district or banner, streets in its service areas
# (docs/demo.md lists their keywords), residents, and organisations (non-residential and 10 kV customers).
PLACES = {
    "dongsheng": ("150602", ["鄂尔多斯市东胜区天骄北路", "东胜区铁西街道鄂托克西街", "东胜区铜川镇工业园区纬三路"],
                  ["王建军", "李秀英", "刘海涛"], ["鄂尔多斯市恒泰物业服务有限公司", "东胜区鑫源商贸有限公司"]),
    "kangbashi": ("150603", ["鄂尔多斯市康巴什区青春山街道康和路", "康巴什区哈巴格希街道北区路"],
                  ["张国华", "高娜", "白雪梅"], ["康巴什区文博酒店管理有限公司", "鄂尔多斯市康城数据科技有限公司"]),
    "yijinhuoluo": ("150627", ["伊金霍洛旗阿勒腾席热镇文明路", "伊金霍洛旗札萨克镇新街", "伊金霍洛旗乌兰木伦镇矿区路"],
                    ["刘美玲", "其其格", "王志强"], ["伊金霍洛旗蒙源牧业合作社", "伊金霍洛旗乌兰煤炭洗选有限公司"]),
    "dalate": ("150621", ["达拉特旗树林召镇锡尼街", "达拉特旗王爱召镇王爱召村", "达拉特旗白泥井镇园区大道"],
               ["赵永胜", "孟丽", "韩建平"], ["达拉特旗永盛建材厂", "达拉特旗黄河农业发展有限公司"]),
}  # fmt: skip
# (category, voltage, kVA, the steps of its full life)
PLANS = {
    "lv_resident": ("220V", 8, ["acceptance", "survey_plan", "grid_works", "contract_energize"]),
    "lv_business": (
        "380V",
        80,
        ["acceptance", "survey_plan", "@approval.decided", "approval", "grid_works", "contract_energize"],
    ),
    "hv10_single": (
        "10kV",
        630,
        [
            "acceptance",
            "survey_plan",
            "@approval.decided",
            "approval",
            "grid_works",
            "@customer.works_completed",
            "contract_inspection",
        ],
    ),
    "hv10_dual": (
        "10kV",
        2000,
        [
            "acceptance",
            "survey_plan",
            "@customer.design_submitted",
            "approval",
            "drawing_review",
            "@customer.inspection_requested",
            "mid_inspection",
            "@customer.works_completed",
            "grid_works",
            "contract_inspection",
        ],
    ),
}
ROLE_USER = {"acceptance_clerk": "clerk", "customer_manager": "customer_manager", "project_manager": "project_manager"}


class DemoOrders:
    def __init__(self, orders, created: bool):
        self.orders, self.created = orders, created  # orders: a queryset (a million rows are not loaded)

    def summary(self) -> dict:
        labels = dict(OrderStatus.choices)
        counted = self.orders.values("status").annotate(n=Count("pk")).order_by("status")
        by_status = {labels.get(row["status"], row["status"]): row["n"] for row in counted}
        alarms = with_alarm_state(self.orders)
        return {
            "work orders": sum(by_status.values()),
            **by_status,
            "overdue now": alarms.filter(is_overdue=True).count(),
            "in warning now": alarms.filter(is_warning=True).count(),
            "new": "yes" if self.created else "already there",
        }


def create_demo_orders(now: datetime | None = None, count: int = DEFAULT_COUNT) -> DemoOrders:
    """The first `count` demo orders (made once each; those already there are kept as they are): the first
    TEMPLATES through the services, the others as copies of those moved back in working time (demo_bulk)."""
    now = now or timezone.now()
    branches = list(Branch.objects.filter(company__code="ordos").order_by("code"))
    existing = set(WorkOrder.objects.filter(source_system="demo").values_list("external_ref", flat=True))
    made = False
    for index in range(min(count, TEMPLATES) if branches else 0):
        branch = branches[index % len(branches)]
        category = list(PLANS)[index // len(branches) % len(PLANS)]
        variant = index // (len(branches) * len(PLANS)) % 3
        round_ = index // (len(branches) * len(PLANS) * 3)
        ref = f"demo-{branch.code}-{category}-{variant}" + (f"-{round_}" if round_ else "")
        if ref in existing:
            continue
        rng = random.Random(ref if round_ else f"{branch.code}-{category}-{variant}")
        _drive(branch, category, variant, rng, now, index, ref)
        made = True
    if count > TEMPLATES and branches:
        copies = WorkOrder.objects.filter(source_system="demo", external_ref__startswith="demo-copy-")
        have = copies.count()  # copies are made in index order: the first `have` exist
        templates = WorkOrder.objects.filter(source_system="demo").exclude(external_ref__startswith="demo-copy-")
        templates = [t for t in templates.select_related("branch__company").order_by("pk") if _is_drawn(t.external_ref)]
        made = copy_orders(templates, TEMPLATES + have, count - TEMPLATES - have) > 0 or made
    return DemoOrders(WorkOrder.objects.filter(source_system="demo"), created=made)


def _is_drawn(ref: str) -> bool:
    """demo-<branch>-<category>-<variant>-<round>: an order of round 1 or later is a drawn one."""
    return ref.count("-") == 4


def demo_customer(branch: Branch, category: str, rng: random.Random) -> dict:
    """A customer of the branch: name, ID number or credit code, mobile phone and a site address."""
    region, streets, people, companies = PLACES.get(branch.code, PLACES["dongsheng"])
    address = f"{rng.choice(streets)}{rng.randint(1, 199)}号"
    phone = f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}"
    if category == "lv_resident":
        born = f"{rng.randint(1950, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        first17 = f"{region}{born}{rng.randint(0, 999):03d}"
        return {"customer_name": rng.choice(people), "customer_id_number": first17 + resident_id_check(first17),
                "customer_phone": phone, "site_address": address}  # fmt: skip
    organisation = "".join(rng.choice(USCC_CHARS) for _ in range(9))
    first17 = f"91{region}{organisation}"
    return {"customer_name": rng.choice(companies), "customer_id_number": first17 + uscc_check(first17),
            "customer_phone": phone, "site_address": address}  # fmt: skip


def _user(branch: Branch, role: str) -> User:
    name = f"{branch.code}_{ROLE_USER.get(role, 'manager')}"
    return User.objects.get(username=name)


def _drive(
    branch: Branch, category: str, variant: int, rng: random.Random, now: datetime, index: int, ref: str
) -> WorkOrder:
    voltage, kva, steps = PLANS[category]
    table = work_table(branch.company.code)
    drawn = _is_drawn(ref)
    # Long-lived categories start further back so that some finish and some are mid-way.
    span_days = {"lv_resident": 8, "lv_business": 9, "hv10_single": 30, "hv10_dual": 45}[category]
    back = rng.uniform(0.3, 1.5) if drawn else rng.uniform(0.3, 1.1)
    start_ts = table.w_inv(table.w(to_epoch(now)) - int(back * span_days * 420 * 60))
    start = table.local(start_ts)
    channel = ["counter", "mengsuban", "approval_platform", "gov_portal", "online", "assisted"][index % 6]
    clerk = _user(branch, "acceptance_clerk")
    received = drawn or not (category == "lv_business" and variant == 1)
    if not received:
        channel = "approval_platform"  # pushed by the platform, waiting for the dispatcher
    order = services.order_create(
        actor=clerk,
        category=category,
        channel=channel,
        **demo_customer(branch, category, random.Random(ref)),
        capacity_kva=kva,
        voltage=voltage,
        branch=branch,
        occurred_at=start,
        source=SOURCE,
        reason=REASON,
        source_system="demo",
        external_ref=ref,
        receive=received,
    )
    if not received:
        return order  # waits in the dispatch queue (R3)
    # variant 0: as far as time allows, on time; 1: late; 2: suspended or cancelled along the way.
    # drawn: every step's share of its limit from DRAWN_SHARE, to the end or the present.
    pace = (0.4, 0.8) if variant == 0 else (0.9, 1.6)
    stop_after = len(steps) if variant == 0 or drawn else rng.randint(1, len(steps) - 1)
    at = start
    for position, step in enumerate(steps[:stop_after]):
        at = _next_time(order, step, at, pace, rng, table, drawn)
        if at is None or at > now:
            break
        if variant == 2 and not drawn and position == stop_after - 1:
            _hold(order, branch, at, rng, now)
            break
        _do(order, branch, step, at, rng)
    return order


def _next_time(order, step, at, pace, rng, table, drawn=False):
    order.refresh_from_db()
    if step.startswith("@"):
        return table.local(table.w_inv(table.w(to_epoch(at)) + rng.randint(30, 300) * 60))
    clock = order.clocks.get(code=order.nodes.get(code=step).clock_code)
    if clock.started_at is None or clock.budget_seconds is None:
        return None
    base = max(to_epoch(at), to_epoch(clock.started_at))
    if drawn:  # the used share from its clock's start, as the breach risk measures it (docs/breach-risk.md)
        share = rng.lognormvariate(math.log(DRAWN_SHARE[0]), DRAWN_SHARE[1]) * clock.budget_seconds
        return table.local(table.w_inv(max(table.w(to_epoch(clock.started_at)) + int(share), table.w(base) + 60)))
    share = rng.uniform(*pace) * max(clock.budget_seconds, 3600)
    return table.local(table.w_inv(table.w(base) + int(share * 0.5)))


def _works(order, branch, at, rng):
    """R6: the project manager records the facts of the works (low-risk about half the time); yekuo decides."""
    from yekuo.approvals.facts import read_facts
    from yekuo.approvals.works import works_decide

    low_risk = rng.random() < 0.5
    voltage = 10 if order.category.startswith("hv10") else 0.4
    facts = {"voltage_kv": voltage, "excavation_m": rng.choice([60, 180, 320, 480]) if low_risk else 620,
             "obstacles": False, "single_function": True, "simple_technique": True, "touches_important_street": False,
             "route": rng.sample(["康和路", "团结路", "纬三路", "文明路", "园区大道"], 2)}  # fmt: skip
    actor = _user(branch, "project_manager")
    try:
        works_decide(order, actor=actor, facts=read_facts(facts)[0], design_unit="鄂尔多斯电力勘察设计院",
                     occurred_at=at, source=SOURCE, reason=REASON)  # fmt: skip
    except YekuoError as error:  # no low-risk rule set loaded (`yekuo approvals load-bundled`): decide as given
        if error.code != "no_rule_set":
            raise
        services.approval_decide(order, actor=actor, low_risk=low_risk, occurred_at=at, source=SOURCE, reason=REASON)


def _approval_done(order, branch, at):
    """The approval node of works recorded on the works page completes by their filing or approval (R6)."""
    from yekuo.approvals import approval, filing
    from yekuo.approvals.selectors import current_decision

    decision = current_decision(order)
    if decision is None:
        return False
    actor = _user(branch, "project_manager")
    if decision.low_risk:
        filing.filing_record(order, actor=actor, occurred_at=at, source=SOURCE, reason=REASON)
    else:
        approval.approval_submit(order, actor=actor, authorities=["住建局", "交通运输局"], occurred_at=at,
                                 source=SOURCE)  # fmt: skip
        for authority in ("住建局", "交通运输局"):
            approval.approval_answer(order, actor=actor, authority=authority, verdict="approved", occurred_at=at,
                                     source=SOURCE, reason=REASON)  # fmt: skip
    return True


def _do(order, branch, step, at, rng):
    if step == "@approval.decided":
        _works(order, branch, at, rng)
    elif step == "approval" and _approval_done(order, branch, at):
        pass
    elif step.startswith("@"):
        services.customer_event(
            order, step[1:], actor=_user(branch, "customer_manager"), occurred_at=at, source=SOURCE, reason=REASON
        )
    else:
        role = order.nodes.get(code=step).role
        services.node_complete(
            order, actor=_user(branch, role), node=step, occurred_at=at, source=SOURCE, reason=REASON
        )


def _hold(order, branch, at, rng, now):
    """Suspend for a customer reason (and sometimes resume), or cancel."""
    if rng.random() < 0.3:
        services.order_cancel(
            order,
            actor=_user(branch, "manager"),
            cancel_reason="客户撤回申请",
            occurred_at=at,
            source=SOURCE,
            reason=REASON,
        )
        return
    services.order_suspend(
        order,
        actor=_user(branch, "acceptance_clerk"),
        reason_code="documents_missing",
        evidence_note="客户未提供产权证明，已电话告知",
        occurred_at=at,
        source=SOURCE,
        reason=REASON,
    )
    resume = at + (now - at) / 2
    if rng.random() < 0.5 and resume < now:
        services.order_resume(
            order, actor=_user(branch, "acceptance_clerk"), occurred_at=resume, source=SOURCE, reason=REASON
        )
