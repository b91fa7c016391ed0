"""Business normativity (业务规范性, notice §3 ¶1; REQUIREMENTS R12): the month's entries that break the rules,
each listed with the rule it broke and the clause it comes from.

`findings(month, branch=None)` runs one SQL query per rule, filtered to the month (Asia/Shanghai) in the
database, so a month of ~80,000 orders is never loaded into Python; only the findings are. A finding belongs
to the month of the entry at fault (the node's completion, the back-dated entry's recording, the suspension's
start, the override's recording, the visit's month). The rules (docs/normativity.md):

- `node_order`: a node completed while a predecessor was not, or before it (skipped or reordered nodes). The
  predecessors are the regulation's (Attachment 1, the version each order keeps, R14), read from the loaded
  regulations, never written here. The order services refuse such a step; this catches what reached the
  rows another way (history loaded in bulk, a repaired database, a projection out of step).
- `backdated`: an entry people made (pages, staff API) dated more than YEKUO_BACKDATE_MINUTES before it was
  recorded (`OrderEvent.backdated`, set by the order services, I5/R16).
- `fast_completion`: a node completed sooner after it became ready than its threshold (data:
  `data/rules.toml`).
- `suspension_evidence`: a suspension whose reason needs evidence (I5) with no file and a note shorter than the
  threshold.
- `classification_override`: a manager overrode the R6 low-risk classification (`approvals.WorksDecision`).
- `unclassified_approval`: staff completed the approval node (pages, staff API) of an order whose grid supporting
  works were never classified on the works page (no `approvals.WorksDecision`): R6 skipped. The gate holds only
  what was recorded there, so this is where such an order shows (orders relayed from another system are not
  listed: that system classifies them).
- `time_disagreement`: a return visit where the customer's account of a node's time disagrees with the
  system's (R11).
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from django.db.models import F, Q
from django.db.models.functions import Length, Trim
from django.utils import timezone
from django.utils.translation import gettext_noop

from yekuo.orders.models import NodeInstance, OrderEvent, Suspension
from yekuo.regulations.codes import NODES
from yekuo.visits.months import month_bounds, parse_month

RULES_FILE = Path(__file__).parent / "data" / "rules.toml"
STAFF_SOURCES = ("web", "api")  # as the order services' (orders.services.write.STAFF_SOURCES)


@dataclass(frozen=True)
class Rule:
    code: str
    label: str  # Chinese msgid (English in yekuo/locale)
    clause: str  # the notice's clause and the requirement id it carries out
    requirement: str


RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule("node_order", gettext_noop("环节跳项或顺序颠倒"), "notice §3 ¶1; Attachment 1 (节点顺序)", "R12"),
        Rule("backdated", gettext_noop("事后补录"), "notice §3 ¶1; R16", "R12"),
        Rule("fast_completion", gettext_noop("环节办结用时异常短"), "notice §3 ¶1; Attachment 1 (规定时限)", "R12"),
        Rule("suspension_evidence", gettext_noop("暂停计时无佐证"), "notice §3 ¶1; I5", "I5"),
        Rule("classification_override", gettext_noop("人工调整低风险判定"), "notice §2 ¶1; R6", "R6"),
        Rule("unclassified_approval", gettext_noop("未经低风险判定办结审批"), "notice §2 ¶1; R6", "R6"),
        Rule("time_disagreement", gettext_noop("回访时间与系统不一致"), "notice §3 ¶1 (服务回访); R11", "R11"),
    )
}


@dataclass(frozen=True)
class Finding:
    order_number: str
    branch: str  # branch code
    category: str
    rule: str  # a code of RULES
    label: str  # the rule's name, Chinese
    clause: str
    detail: str
    at: datetime  # when the entry at fault happened

    def as_dict(self) -> dict:
        return {**asdict(self), "at": timezone.localtime(self.at).isoformat()}


@cache
def thresholds(path: Path = RULES_FILE) -> dict:
    with open(path, "rb") as stream:
        data = tomllib.load(stream)
    fast = {str(k): int(v) for k, v in data.get("fast_completion_minutes", {}).items()}
    unknown = set(fast) - set(NODES)
    if unknown:
        raise ValueError(f"{path}: fast_completion_minutes names unknown nodes: {', '.join(sorted(unknown))}")
    return {"fast": fast, "min_evidence_chars": int(data.get("suspension", {}).get("min_evidence_chars", 1))}


def _local(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def _finding(rule: str, number: str, branch: str, category: str, detail: str, at: datetime) -> Finding:
    found = RULES[rule]
    return Finding(number, branch, category, rule, found.label, found.clause, detail, at)


def _predecessors() -> dict[tuple[str, str, str], tuple[str, ...]]:
    """(regulation, category, node) → its predecessors, for every loaded regulation (R14)."""
    from yekuo.regulations.models import Regulation
    from yekuo.regulations.selectors import regulation_spec

    out = {}
    for code, checksum in Regulation.objects.values_list("code", "checksum"):
        spec = regulation_spec(code, checksum)
        for category in spec.categories:
            for node in category.nodes:
                if node.predecessors:
                    out[(code, category.code, node.code)] = tuple(node.predecessors)
    return out


def _out_of_order(start, end, branch, graph) -> list[int]:
    """The ids of the node rows completed in [start, end) whose predecessor (per `graph`) was not completed by
    then: one statement (both databases).

    On PostgreSQL each node's predecessors come from a CASE on its (regulation, category, node), unnested: the
    planner then counts the month's nodes times a few predecessors each and, for a big month, reads the
    predecessors in one hashed pass over the node table. Joined as a VALUES table of edges (SQLite's form
    below) it has no statistics for the join: at 1,000,000 orders it expected 363 rows for 937,689 and probed
    the node index once for each (60 s, against 17 s hashed; bench/RESULTS.md)."""
    from django.db import connection

    from yekuo.accounts.models import Branch
    from yekuo.orders.models import WorkOrder

    nodes, orders, branches = NodeInstance._meta.db_table, WorkOrder._meta.db_table, Branch._meta.db_table
    by_branch = f"AND o.branch_id IN (SELECT id FROM {branches} WHERE code = %s)" if branch else ""
    adapt = connection.ops.adapt_datetimefield_value
    # The month's completed nodes first (one pass over the node table), then their orders and predecessors by
    # key: PostgreSQL would otherwise start from orders × edges and look each order's nodes up.
    if connection.vendor == "postgresql":
        whens = " ".join(
            ["WHEN o.regulation_code = %s AND o.category = %s AND n.code = %s THEN %s::text[]"] * len(graph)
        )
        sql = f"""
            WITH done AS MATERIALIZED (
                SELECT id, order_id, code, completed_at FROM {nodes} WHERE completed_at >= %s AND completed_at < %s
            )
            SELECT DISTINCT n.id
            FROM done n
            JOIN {orders} o ON o.id = n.order_id
            CROSS JOIN LATERAL unnest(CASE {whens} END) AS e (pred)
            LEFT JOIN {nodes} p ON p.order_id = n.order_id AND p.code = e.pred
            WHERE (p.completed_at IS NULL OR p.completed_at > n.completed_at)
              {by_branch}
        """  # table names from the models; every value a parameter
        cases = [v for (r, c, n), preds in graph.items() for v in (r, c, n, list(preds))]
        params = [adapt(start), adapt(end), *cases] + ([branch] if branch else [])
    else:
        edges = [(r, c, n, p) for (r, c, n), preds in graph.items() for p in preds]
        values = ", ".join(["(%s, %s, %s, %s)"] * len(edges))
        sql = f"""
            WITH edges (regulation, category, node, pred) AS (VALUES {values}),
            done AS (
                SELECT id, order_id, code, completed_at FROM {nodes} WHERE completed_at >= %s AND completed_at < %s
            )
            SELECT DISTINCT n.id
            FROM done n
            JOIN {orders} o ON o.id = n.order_id
            JOIN edges e ON e.regulation = o.regulation_code AND e.category = o.category AND e.node = n.code
            LEFT JOIN {nodes} p ON p.order_id = n.order_id AND p.code = e.pred
            WHERE (p.completed_at IS NULL OR p.completed_at > n.completed_at)
              {by_branch}
        """  # table names from the models; every value a parameter
        params = [v for edge in edges for v in edge] + [adapt(start), adapt(end)] + ([branch] if branch else [])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def node_order(start, end, branch) -> list[Finding]:
    graph = _predecessors()
    if not graph:
        return []
    ids = _out_of_order(start, end, branch, graph)
    if not ids:
        return []
    flagged = list(
        NodeInstance.objects.filter(pk__in=ids).order_by().values_list(
            "order_id", "order__number", "order__branch__code", "order__category", "order__regulation_code", "code",
            "completed_at",
        )
    )  # fmt: skip
    done = {
        (o, c): at
        for o, c, at in NodeInstance.objects.filter(order_id__in={f[0] for f in flagged})
        .order_by()
        .values_list("order_id", "code", "completed_at")
    }
    out = []
    for order_id, number, branch_code, category, regulation, node, at in flagged:
        parts = []
        for pred in graph[(regulation, category, node)]:
            pred_at = done.get((order_id, pred))
            if pred_at is None:
                parts.append(f"前置环节「{NODES.get(pred, pred)}」未完成（跳项）")
            elif pred_at > at:
                parts.append(f"前置环节「{NODES.get(pred, pred)}」{_local(pred_at)} 才完成（顺序颠倒）")
        detail = f"「{NODES.get(node, node)}」{_local(at)} 完成，" + "；".join(parts)
        out.append(_finding("node_order", number, branch_code, category, detail, at))
    return out


def backdated(start, end, branch) -> list[Finding]:
    from yekuo.orders.events import label

    rows = OrderEvent.objects.filter(
        backdated=True, source__in=STAFF_SOURCES, recorded_at__gte=start, recorded_at__lt=end
    )
    if branch:
        rows = rows.filter(order__branch__code=branch)
    out = []
    for number, branch_code, category, kind, occurred, recorded, reason, who in rows.values_list(
        "order__number", "order__branch__code", "order__category", "type", "occurred_at", "recorded_at", "reason",
        "actor__username",
    ).order_by():  # fmt: skip
        detail = (
            f"「{label(kind)}」发生于 {_local(occurred)}，{_local(recorded)} 由 {who or '—'} 补录；"
            f"理由：{reason or '—'}"
        )
        out.append(_finding("backdated", number, branch_code, category, detail, recorded))
    return out


def fast_completion(start, end, branch) -> list[Finding]:
    limits = {node: minutes for node, minutes in thresholds()["fast"].items() if minutes > 0}
    if not limits:
        return []
    fast = Q()
    for node, minutes in limits.items():
        fast |= Q(code=node, completed_at__lt=F("ready_at") + timedelta(minutes=minutes))
    rows = NodeInstance.objects.filter(completed_at__gte=start, completed_at__lt=end, ready_at__isnull=False).filter(
        fast
    )
    if branch:
        rows = rows.filter(order__branch__code=branch)
    out = []
    for number, branch_code, category, node, ready, done in rows.order_by().values_list(
        "order__number", "order__branch__code", "order__category", "code", "ready_at", "completed_at"
    ):
        minutes = max(0, int((done - ready).total_seconds() // 60))
        detail = (
            f"「{NODES.get(node, node)}」{_local(ready)} 可办理，{_local(done)} 即完成，用时 {minutes} 分钟"
            f"（下限 {limits[node]} 分钟）"
        )
        out.append(_finding("fast_completion", number, branch_code, category, detail, done))
    return out


def suspension_evidence(start, end, branch) -> list[Finding]:
    least = thresholds()["min_evidence_chars"]
    rows = (
        Suspension.objects.filter(started_at__gte=start, started_at__lt=end, reason__requires_evidence=True)
        .filter(Q(evidence_file="") | Q(evidence_file__isnull=True))
        .annotate(note_length=Length(Trim("evidence_note")))
        .filter(note_length__lt=least)
    )
    if branch:
        rows = rows.filter(order__branch__code=branch)
    out = []
    for number, branch_code, category, reason, note, started in rows.order_by().values_list(
        "order__number", "order__branch__code", "order__category", "reason__name", "evidence_note", "started_at"
    ):
        detail = f"{_local(started)} 因「{reason}」暂停计时，佐证：{note.strip() or '无'}（无附件）"
        out.append(_finding("suspension_evidence", number, branch_code, category, detail, started))
    return out


def classification_override(start, end, branch) -> list[Finding]:
    from yekuo.approvals.models import WorksDecision

    rows = WorksDecision.objects.filter(overridden=True, recorded_at__gte=start, recorded_at__lt=end)
    if branch:
        rows = rows.filter(order__branch__code=branch)
    out = []
    for number, branch_code, category, classified, decided, reason, who, at in rows.values_list(
        "order__number", "order__branch__code", "order__category", "classified_low_risk", "low_risk", "override_reason",
        "recorded_by__username", "recorded_at",
    ).order_by():  # fmt: skip
        word = {True: "简易低风险", False: "需行政审批"}
        detail = f"判定为「{word[classified]}」，由 {who} 调整为「{word[decided]}」；理由：{reason or '—'}"
        out.append(_finding("classification_override", number, branch_code, category, detail, at))
    return out


def unclassified_approval(start, end, branch) -> list[Finding]:
    from yekuo.approvals.models import WorksDecision

    completed = Q(type="node.completed", payload__node="approval", source__in=STAFF_SOURCES)
    rows = (
        OrderEvent.objects.filter(completed, occurred_at__gte=start, occurred_at__lt=end)
        .exclude(order_id__in=WorksDecision.objects.values("order_id"))
        .order_by()
    )
    if branch:
        rows = rows.filter(order__branch__code=branch)
    out = []
    for number, branch_code, category, occurred, who in rows.values_list(
        "order__number", "order__branch__code", "order__category", "occurred_at", "actor__username"
    ):
        detail = f"「{NODES['approval']}」{_local(occurred)} 由 {who or '—'} 办结，配套工程未录入事实、未经低风险判定"
        out.append(_finding("unclassified_approval", number, branch_code, category, detail, occurred))
    return out


def time_disagreement(month, branch) -> list[Finding]:
    from yekuo.visits.models import Visit

    rows = Visit.objects.filter(month=month, reached=True, time_agrees=False)
    if branch:
        rows = rows.filter(branch__code=branch)
    out = []
    for number, branch_code, category, node, days, at in rows.order_by().values_list(
        "order__number", "branch__code", "category", "time_node", "time_offset_days", "visited_at"
    ):
        way = "早" if (days or 0) < 0 else "晚"
        detail = f"回访时客户称「{NODES.get(node, node)}」的时间比系统记录{way} {abs(days or 0)} 天"
        out.append(_finding("time_disagreement", number, branch_code, category, detail, at))
    return out


def findings(month: str, branch: str | None = None) -> list[Finding]:
    """Every normativity finding of the month (optionally of one branch, by code), by branch, rule and time."""
    parse_month(month)
    start, end = month_bounds(month)
    found = [
        *node_order(start, end, branch),
        *backdated(start, end, branch),
        *fast_completion(start, end, branch),
        *suspension_evidence(start, end, branch),
        *classification_override(start, end, branch),
        *unclassified_approval(start, end, branch),
        *time_disagreement(month, branch),
    ]
    order = list(RULES)
    return sorted(found, key=lambda f: (f.branch, order.index(f.rule), f.at, f.order_number))


def counts(found: list[Finding]) -> dict[str, dict[str, int]]:
    """{branch: {rule: n}} of a list of findings (for the bulletin's table)."""
    out: dict[str, dict[str, int]] = {}
    for f in found:
        out.setdefault(f.branch, {}).setdefault(f.rule, 0)
        out[f.branch][f.rule] += 1
    return out


__all__ = ["RULES", "Finding", "counts", "findings"]
