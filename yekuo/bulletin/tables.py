"""The bulletin's tables, from a frozen snapshot: one list of `Table`s that the page, the Excel file (one
sheet per table) and the PDF all render, so the three documents of a revision always say the same (R12).

A column has a kind: `text`, `int`, `rate` (a share, shown as a percentage, stored in Excel as the number
with a percent format), `number` (two decimals) or `time` (an ISO instant, shown in Asia/Shanghai). Figures
the indicators add beyond the known columns are shown too, after them, under their code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yekuo.bulletin.figures import rankings
from yekuo.regulations.codes import CATEGORIES
from yekuo.web import labels


@dataclass
class Column:
    key: str
    title: str
    kind: str = "text"


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)
    total: int | None = None  # a list cut to its first rows: how many there are

    def __post_init__(self):
        if self.total is None:
            self.total = len(self.rows)

    def cells(self, row: dict) -> list:
        return [row.get(column.key) for column in self.columns]


def _c(key, title, kind="text") -> Column:
    return Column(key, title, kind)


BRANCH = _c("branch_name", _("分公司"))
CATEGORY = _c("category_name", _("业务类别"))

RANKING = [
    BRANCH,
    _c("created", _("受理工单"), "int"),
    _c("online", _("线上受理"), "int"),
    _c("online_rate", _("线上报装服务率"), "rate"),
    _c("energized", _("接电工单"), "int"),
    _c("on_time", _("按期接电"), "int"),
    _c("on_time_rate", _("按期完成率"), "rate"),
    _c("rank_on_time_rate", _("按期排名"), "int"),
    _c("utility_days_mean", _("平均供电企业用时（工作日）"), "number"),
    _c("rank_utility_days_mean", _("用时排名"), "int"),
    _c("calendar_days_mean", _("平均办电时长（日历日）"), "number"),
    _c("overdue_orders", _("超期工单"), "int"),
    _c("normativity_findings", _("规范性问题"), "int"),
    _c("reach_rate", _("回访成功率"), "rate"),
    _c("satisfaction_mean", _("满意度"), "number"),
]
INDICATORS = [
    _c("created", _("受理工单"), "int"),
    _c("online", _("线上受理"), "int"),
    _c("online_rate", _("线上报装服务率"), "rate"),
    _c("mengsuban", _("蒙速办受理"), "int"),
    _c("mengsuban_rate", _("蒙速办使用率"), "rate"),
    _c("energized", _("接电工单"), "int"),
    _c("on_time", _("按期接电"), "int"),
    _c("on_time_rate", _("按期完成率"), "rate"),
    _c("late", _("超期接电"), "int"),
    _c("open_overdue", _("月末在途超期"), "int"),
    _c("procedures_mean", _("平均办电环节数"), "number"),
    _c("utility_days_mean", _("平均供电企业用时（工作日）"), "number"),
    _c("customer_days_mean", _("平均客户用时（工作日）"), "number"),
    _c("suspended_days_mean", _("平均暂停时长（工作日）"), "number"),
    _c("calendar_days_mean", _("平均办电时长（日历日）"), "number"),
    _c("utility_days_p90", _("供电企业用时90%分位（工作日）"), "number"),
    _c("cost_total_yuan", _("客户费用合计（元）"), "number"),
    _c("cost_mean_yuan", _("平均客户费用（元）"), "number"),
]
NODES = [
    BRANCH,
    CATEGORY,
    _c("node_name", _("环节")),
    _c("completed", _("完成"), "int"),
    _c("on_time", _("按期"), "int"),
    _c("on_time_rate", _("按期率"), "rate"),
    _c("working_days_mean", _("平均用时（工作日）"), "number"),
    _c("working_days_p90", _("90%分位用时（工作日）"), "number"),
    _c("overdue", _("超期"), "int"),
]
VISITS = [
    BRANCH,
    _c("planned", _("应回访"), "int"),
    _c("visited", _("已回访"), "int"),
    _c("reached", _("回访成功"), "int"),
    _c("reach_rate", _("回访成功率"), "rate"),
    _c("satisfaction_mean", _("满意度"), "number"),
    _c("time_disagreements", _("时间偏差"), "int"),
    _c("disagreement_rate", _("时间偏差率"), "rate"),
    _c("problems_text", _("发现问题")),
]
OVERDUE = [
    _c("order", _("工单编号")),
    BRANCH,
    CATEGORY,
    _c("kind_name", _("类型")),
    _c("clock_name", _("环节")),
    _c("deadline_at", _("期限"), "time"),
    _c("completed_at", _("完成时间"), "time"),
]
FINDINGS = [
    _c("order", _("工单编号")),
    BRANCH,
    _c("rule_text", _("规则")),
    _c("clause", _("依据")),
    _c("detail", _("情况")),
]
OVERDUE_KINDS = {"late": _("超期接电"), "open": _("月末在途超期")}
KNOWN_KEYS = {"branch", "category", "node", "month", "branch_name", "category_name", "node_name", "cost_orders"}


def _extra_columns(rows: list[dict], known: list[Column]) -> list[Column]:
    seen = {c.key for c in known} | KNOWN_KEYS
    extra = []
    for row in rows:
        for key, value in row.items():
            if key in seen or isinstance(value, dict | list):
                continue
            seen.add(key)
            kind = "rate" if key.endswith("_rate") else "number" if isinstance(value, int | float) else "text"
            extra.append(Column(key, key, kind))
    return extra


class _Labels:
    """The names of codes in the active language, looked up once per build: a big month's lists name the
    same few categories, nodes and kinds in every one of their 200,000 rows."""

    def __init__(self):
        self.categories: dict[str, str] = {}
        self.nodes: dict[str, str] = {}

    def category(self, code: str) -> str:
        name = self.categories.get(code)
        if name is None:
            name = self.categories[code] = (
                labels.category(code) if code in CATEGORIES else str(_("全部")) if code == "all" else code
            )
        return name

    def node(self, code: str) -> str:
        name = self.nodes.get(code)
        if name is None:
            name = self.nodes[code] = labels.node(code)
        return name


def _named(rows: list[dict], names: dict[str, str], known: _Labels | None = None) -> list[dict]:
    known = known or _Labels()
    out = []
    for row in rows:
        row = dict(row)
        if "branch" in row:
            row["branch_name"] = names.get(row["branch"], row["branch"])
        if "category" in row:
            row["category_name"] = known.category(row["category"])
        if "node" in row:
            row["node_name"] = known.node(row["node"])
        out.append(row)
    return out


def _rule_text(row: dict) -> str:
    code = row.get("rule") or row.get("rule_code") or row.get("code") or ""
    label = row.get("label") or row.get("rule_label") or ""
    label = gettext(label) if label else ""
    return f"{label}（{code}）" if label and code else label or code


def build(snapshot: dict, branch: str | None = None, list_rows: int | None = None) -> list[Table]:
    """The tables of a snapshot. `branch` keeps the lists of problem orders (overdue, findings) to one branch,
    `list_rows` keeps their first rows only (each list's `total` says how many there are): a big month's lists
    run to hundreds of thousands of rows, which the page and the printed documents do not show."""
    names = {b["code"]: b["name"] for b in snapshot.get("branches", [])}
    totals = {}

    def listed(key: str) -> list[dict]:
        rows = snapshot.get(key) or []
        if branch:
            rows = [row for row in rows if row.get("branch") == branch]
        totals[key] = len(rows)
        return rows if list_rows is None else rows[:list_rows]

    data = snapshot.get("indicators") or {}
    rows = _named(data.get("rows") or [], names)
    company = _named(data.get("company") or [], names)
    nodes = _named(data.get("nodes") or [], names)
    indicator_columns = [BRANCH, CATEGORY, *INDICATORS]
    indicator_columns += _extra_columns(rows, indicator_columns)
    company_columns = [CATEGORY, *INDICATORS]
    company_columns += _extra_columns(company, company_columns)
    visits = _named(snapshot.get("visits") or [], names)
    for row in visits:
        problems = row.get("problems") or {}
        row["problems_text"] = "、".join(f"{k} {v}" for k, v in problems.items() if v)
    known = _Labels()
    overdue = _named(listed("overdue"), names, known)
    kinds = {code: str(name) for code, name in OVERDUE_KINDS.items()}
    for row in overdue:
        # One row per order with its overdue `clocks`; a revision made before that has one row per `clock`.
        row["clock_name"] = "、".join(known.node(code) for code in row.get("clocks") or [row.get("clock", "")])
        kind = row.get("kind")
        row["kind_name"] = kinds.get(kind) or kind or ""
    findings = _named(listed("findings"), names, known)
    rule_texts: dict[tuple, str] = {}
    for row in findings:
        named = (row.get("rule"), row.get("rule_code"), row.get("code"), row.get("label"), row.get("rule_label"))
        text = rule_texts.get(named)
        if text is None:
            text = rule_texts[named] = _rule_text(row)
        row["rule_text"] = text
        row["order"] = row.get("order_number") or row.get("order") or row.get("number") or ""
    return [
        Table("ranking", _("分公司排名"), RANKING, rankings(snapshot)),
        Table("indicators", _("分公司分类指标"), indicator_columns, rows),
        Table("company", _("公司合计"), company_columns, company),
        Table("nodes", _("各环节时限"), NODES, nodes),
        Table("visits", _("服务回访"), VISITS, visits),
        Table("overdue", _("超期工单"), OVERDUE, overdue, total=totals["overdue"]),
        Table("findings", _("业务规范性问题"), FINDINGS, findings, total=totals["findings"]),
    ]


def display(value, kind: str) -> str:
    """A cell as text, for the page and the PDF."""
    if value is None or value == "":
        return "—" if kind != "text" else ""
    if kind == "rate" and isinstance(value, int | float):
        return f"{value * 100:.1f}%"
    if kind == "number" and isinstance(value, int | float):
        return f"{value:.2f}"
    if kind == "time" and isinstance(value, str):
        try:
            return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return value
    return str(value)
