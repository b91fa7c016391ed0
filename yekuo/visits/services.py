"""Return visits (REQUIREMENTS R11; notice §3 ¶1 按月开展业扩服务回访): plan the month, record the visits,
follow up the problems they find.

- `plan_month`: the orders energized in the month (Asia/Shanghai), all of them or, with `sample=N`, N per
  branch and category chosen by a hash of the order number and the month, so that planning again gives the
  same orders; each planned visit is assigned to a visitor (a `VISITOR_ROLES` user of the order's branch,
  else of the company), in turn. Planning again keeps every recorded visit and adds what was energized since.
- `absorb_ratings`: a customer's own rating after energization (`customer.rated` on the order's log) is a
  visit by app: it records the month's visit of the order when no visitor has.
- `record_visit`: the outcome of a visit (the latest attempt wins; `attempts` counts them).
- `follow_up`: a step of a problem's follow-up; the closing step closes it.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from yekuo.accounts.models import User
from yekuo.accounts.permissions import require
from yekuo.accounts.scope import restrict
from yekuo.common.errors import InvalidInput, YekuoError
from yekuo.orders.models import OrderEvent, OrderStatus, WorkOrder
from yekuo.orders.validation import clean_text
from yekuo.regulations.codes import NODES
from yekuo.visits.models import Channel, FollowUp, ProblemCategory, Visit, VisitProblem, VisitSource
from yekuo.visits.months import month_bounds, parse_month

# The customer service center makes the return visits (notice §3 ¶1); its staff hold the dispatcher role.
VISITOR_ROLES = ("dispatcher",)
RATING_EVENT = "customer.rated"  # the customer's rating from the tracking page (a visit by app)


def sample_key(number: str, month: str) -> str:
    """The order's place in the month's sample: the same for the same order and month, on every run."""
    return hashlib.sha256(f"{month}:{number}".encode()).hexdigest()


@dataclass
class PlanResult:
    month: str
    energized: int = 0
    planned: int = 0
    added: int = 0
    removed: int = 0
    absorbed: int = 0
    by_branch: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("month", "energized", "planned", "added", "removed", "absorbed")} | {
            "by_branch": dict(sorted(self.by_branch.items()))
        }


def energized_orders(month: str):
    """The orders energized (last node completed) in the month."""
    start, end = month_bounds(month)
    return WorkOrder.objects.filter(status=OrderStatus.ENERGIZED, closed_at__gte=start, closed_at__lt=end)


def _visitors(company_id: int | None) -> tuple[dict[int | None, list[int]], list[int]]:
    users = User.objects.filter(is_active=True, roles__code__in=VISITOR_ROLES).distinct()
    if company_id is not None:
        users = users.filter(company_id=company_id)
    by_branch: dict[int | None, list[int]] = defaultdict(list)
    for pk, branch_id in users.order_by("pk").values_list("pk", "branch_id"):
        by_branch[branch_id].append(pk)
    return by_branch, by_branch.get(None, [])


def plan_month(month: str, *, actor=None, sample: int | None = None) -> PlanResult:
    """Choose and assign the month's visits (idempotent: the same month and sample give the same plan)."""
    parse_month(month)
    if sample is not None and sample < 1:
        raise InvalidInput("the sample is at least 1 order per branch and category", field="sample")
    orders = energized_orders(month)
    if actor is not None:
        require(actor, "visit.plan")
        orders = restrict(orders, actor, "visit.plan")
    rows = list(orders.values_list("pk", "number", "branch_id", "branch__company_id", "category", "closed_at"))
    groups: dict[tuple[int, str], list[tuple]] = defaultdict(list)
    for row in rows:
        groups[(row[2], row[4])].append(row)
    chosen: dict[int, tuple] = {}
    for members in groups.values():
        members.sort(key=lambda r: sample_key(r[1], month))
        for row in members if sample is None else members[:sample]:
            chosen[row[0]] = row
    result = PlanResult(month, energized=len(rows))
    with transaction.atomic():
        existing = Visit.objects.filter(month=month, order_id__in=[r[0] for r in rows])
        have = dict(existing.values_list("order_id", "visited_at"))
        # A sample made smaller drops the visits it no longer holds, unless they were made or came from the customer.
        stale = [pk for pk, visited in have.items() if pk not in chosen and visited is None]
        if stale:
            result.removed = Visit.objects.filter(month=month, order_id__in=stale, sampled=True).delete()[0]
        new = sorted(
            (r for pk, r in chosen.items() if pk not in have), key=lambda r: (r[2], r[4], sample_key(r[1], month))
        )
        turns: dict[int | None, int] = defaultdict(int)
        pools: dict[int | None, tuple] = {}
        visits = []
        for pk, _number, branch_id, company_id, category, closed_at in new:
            if company_id not in pools:
                pools[company_id] = _visitors(company_id)
            by_branch, company_wide = pools[company_id]
            pool = by_branch.get(branch_id) or company_wide
            assignee = pool[turns[branch_id] % len(pool)] if pool else None
            turns[branch_id] += 1
            visits.append(
                Visit(month=month, order_id=pk, branch_id=branch_id, category=category, energized_at=closed_at,
                      assignee_id=assignee, sampled=True)
            )  # fmt: skip
        Visit.objects.bulk_create(visits, batch_size=2000)
        result.added = len(visits)
    result.absorbed = absorb_ratings(month, orders=orders)
    planned = Visit.objects.filter(month=month)
    if actor is not None:
        planned = restrict(planned, actor, "visit.view")
    result.planned = planned.count()
    result.by_branch = dict(
        planned.values_list("branch__code").annotate(n=Count("pk")).values_list("branch__code", "n")
    )
    return result


def absorb_ratings(month: str, *, orders=None) -> int:
    """Record the customers' own ratings of the orders energized in the month as visits by app (R11).
    A visit a visitor recorded is kept; a rating given again replaces the earlier one. Returns how many changed."""
    orders = orders if orders is not None else energized_orders(month)
    ratings = (
        OrderEvent.objects.filter(type=RATING_EVENT, order__in=orders)
        .order_by("order_id", "seq")
        .values_list("order_id", "order__branch_id", "order__category", "order__closed_at", "occurred_at", "payload")
    )
    latest = {row[0]: row for row in ratings}  # the last rating of each order
    if not latest:
        return 0
    changed = 0
    with transaction.atomic():
        visits = {v.order_id: v for v in Visit.objects.select_for_update().filter(month=month, order_id__in=latest)}
        for order_id, branch_id, category, closed_at, occurred_at, payload in latest.values():
            score = payload.get("score") if isinstance(payload, dict) else None
            if not isinstance(score, int) or not 1 <= score <= 5:
                continue
            comment = str(payload.get("comment") or "")[:2000]
            visit = visits.get(order_id)
            if visit is None:
                visit = Visit(month=month, order_id=order_id, branch_id=branch_id, category=category,
                              energized_at=closed_at, sampled=False)  # fmt: skip
            elif visit.visited_at is not None and visit.source != VisitSource.CUSTOMER:
                continue  # a visitor's record stands
            elif visit.source == VisitSource.CUSTOMER and visit.visited_at == occurred_at:
                continue  # already absorbed
            visit.visited_at, visit.channel, visit.reached = occurred_at, Channel.APP, True
            visit.satisfaction, visit.note, visit.source = score, comment, VisitSource.CUSTOMER
            visit.attempts = max(visit.attempts, 1)
            visit.save()
            changed += 1
    return changed


@dataclass
class Outcome:
    """What a visit found, as the form, the import and the API give it."""

    channel: str
    reached: bool
    satisfaction: int | None = None
    time_agrees: bool | None = None
    time_node: str = ""
    time_offset_days: int | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)  # (category code, description)
    note: str = ""
    visited_at: datetime | None = None


def check_outcome(outcome: Outcome, *, category: str | None = None) -> Outcome:
    """The outcome, cleaned; InvalidInput naming the first field at fault."""
    if outcome.channel not in Channel.values:
        raise InvalidInput(f"channel must be one of: {', '.join(Channel.values)}", field="channel")
    if not isinstance(outcome.reached, bool):
        raise InvalidInput("reached must be true or false", field="reached")
    note = clean_text(outcome.note, field="note", multiline=True)
    if not outcome.reached:
        if outcome.satisfaction is not None or outcome.problems or outcome.time_agrees is not None:
            raise InvalidInput("a customer not reached gives no satisfaction, time or problems", field="reached")
        return Outcome(outcome.channel, False, note=note, visited_at=outcome.visited_at)
    if not isinstance(outcome.satisfaction, int) or isinstance(outcome.satisfaction, bool):
        raise InvalidInput("satisfaction (1–5) is required when the customer was reached", field="satisfaction")
    if not 1 <= outcome.satisfaction <= 5:
        raise InvalidInput("satisfaction is 1 to 5", field="satisfaction")
    time_node, offset = "", None
    if outcome.time_agrees is False:
        time_node = (outcome.time_node or "").strip()
        if time_node not in NODES:
            raise InvalidInput(f"the node the customer disagrees on is one of: {', '.join(NODES)}", field="time_node")
        offset = outcome.time_offset_days
        if not isinstance(offset, int) or isinstance(offset, bool) or offset == 0 or abs(offset) > 366:
            raise InvalidInput(
                "the days of difference are a whole number, not 0 (earlier: negative)", field="time_offset_days"
            )
    elif outcome.time_agrees is not True and outcome.time_agrees is not None:
        raise InvalidInput("time_agrees must be true or false", field="time_agrees")
    known = set(ProblemCategory.objects.filter(active=True).values_list("code", flat=True))
    problems = []
    for code, description in outcome.problems:
        if code not in known:
            raise InvalidInput(
                f"unknown problem category {code!r}; use one of: {', '.join(sorted(known))}", field="problems"
            )
        problems.append((code, clean_text(description, field="problems", multiline=True)))
    return Outcome(outcome.channel, True, outcome.satisfaction, outcome.time_agrees, time_node, offset, problems,
                   note, outcome.visited_at)  # fmt: skip


def visit_for(actor, pk: int, action: str = "visit.record") -> Visit:
    """The visit, if in the actor's scope for `action`; not_found otherwise (it does not reveal that it exists)."""
    require(actor, action)
    found = restrict(Visit.objects.select_related("order", "branch"), actor, action).filter(pk=pk).first()
    if found is None:
        raise YekuoError(f"no visit {pk}", code="not_found")
    return found


def record_visit(visit: Visit, outcome: Outcome, *, actor, source: str = VisitSource.WEB) -> Visit:
    """Record the outcome of a visit (the latest attempt wins) and the problems it found."""
    if actor is not None:
        visit = visit_for(actor, visit.pk)
    clean = check_outcome(outcome)
    now = timezone.now()
    with transaction.atomic():
        visit = Visit.objects.select_for_update().get(pk=visit.pk)
        visit.visited_at = clean.visited_at or now
        visit.channel, visit.reached, visit.satisfaction = clean.channel, clean.reached, clean.satisfaction
        visit.time_agrees, visit.time_node, visit.time_offset_days = (
            clean.time_agrees,
            clean.time_node,
            clean.time_offset_days,
        )
        visit.note, visit.source, visit.recorded_by = clean.note, source, actor
        visit.attempts += 1
        visit.save()
        present = {(p.category_id, p.description) for p in visit.problems.all()}
        VisitProblem.objects.bulk_create(
            VisitProblem(visit=visit, category_id=code, description=text, found_at=visit.visited_at)
            for code, text in clean.problems
            if (code, text) not in present  # an import read again adds nothing
        )
    return visit


def follow_up(
    problem: VisitProblem, *, actor, action: str, closes: bool = False, at: datetime | None = None
) -> FollowUp:
    """One step of the problem's follow-up; `closes` closes the problem (a closed one takes no more steps)."""
    require(actor, "visit.follow_up")
    scoped = restrict(VisitProblem.objects.all(), actor, "visit.follow_up")
    with transaction.atomic():
        problem = scoped.select_for_update().filter(pk=problem.pk).first()
        if problem is None:
            raise YekuoError("no such problem", code="not_found")
        if problem.closed_at is not None:
            raise InvalidInput("the problem is closed", field="action")
        text = clean_text(action, field="action", multiline=True)
        if not text:
            raise InvalidInput("say what was done", field="action")
        when = at or timezone.now()
        step = FollowUp.objects.create(problem=problem, actor=actor, at=when, action=text, closes=closes)
        if closes:
            problem.closed_at = when
            problem.save(update_fields=["closed_at"])
    return step


def assign(visit: Visit, *, actor, assignee: User) -> Visit:
    """Give the visit to another visitor of its branch or company."""
    visit = visit_for(actor, visit.pk, "visit.plan")
    eligible = (
        assignee.is_active
        and assignee.role_codes & set(VISITOR_ROLES)
        and assignee.company_id == visit.branch.company_id
    )
    if not eligible or (assignee.branch_id and assignee.branch_id != visit.branch_id):
        raise InvalidInput(f"{assignee} is not a visitor of {visit.branch}", field="assignee")
    Visit.objects.filter(pk=visit.pk).update(assignee=assignee)
    visit.assignee = assignee
    return visit


def open_problems(queryset=None):
    rows = queryset if queryset is not None else VisitProblem.objects.all()
    return rows.filter(Q(closed_at__isnull=True))
