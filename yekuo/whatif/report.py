"""The what-if report (O17) as a text table, JSON or an Excel workbook."""

from __future__ import annotations

from openpyxl import Workbook

from yekuo.common.xlsx import cell, plain

COLUMNS = (
    ("orders", "订单数 orders"),
    ("counted_current", "计时数(现行) clocks now"),
    ("overdue_current", "超期(现行) overdue now"),
    ("on_time_rate_current", "按时率(现行) on-time now"),
    ("counted_proposed", "计时数(拟议) clocks proposed"),
    ("overdue_proposed", "超期(拟议) overdue proposed"),
    ("on_time_rate_proposed", "按时率(拟议) on-time proposed"),
    ("change_pp", "变化(百分点) change pp"),
)
KEYS = [key for key, _title in COLUMNS]


def _rate(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def as_table(data: dict) -> str:
    """Aligned text: the node rows of each branch, of all branches (branch *), then each branch and the total
    by order (orders with any overdue clock)."""
    head = ["branch", "category", "node", "orders", "overdue now", "overdue proposed", "on-time now",
            "on-time proposed", "change pp"]  # fmt: skip

    def line(first, row):
        change = "—" if row["change_pp"] is None else f"{row['change_pp']:+.2f}"
        return [*first, str(row["orders"]), str(row["overdue_current"]), str(row["overdue_proposed"]),
                _rate(row["on_time_rate_current"]), _rate(row["on_time_rate_proposed"]), change]  # fmt: skip

    lines = [line((r["branch"], r["category"], r["node"]), r) for r in [*data["rows"], *data["node_totals"]]]
    lines += [line((b["branch"], "*", "(orders)"), b) for b in data["branches"]]
    lines.append(line(("*", "*", "(orders)"), data["total"]))
    widths = [max(len(row[i]) for row in [head, *lines]) for i in range(len(head))]
    out = [
        f"what-if of {data['regulation']['code']} for orders applied {data['from']} to {data['to']}"
        + (f" in {data['branch']}" if data["branch"] else "")
        + f", measured at {data['at']}",
        "  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip(),
    ]
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in lines]
    total = data["total"]
    out.append(
        f"orders that become overdue: {total['became_overdue']}; that become on time: {total['became_on_time']}; "
        f"not replayed: {total['not_replayed']}"
    )
    out += [f"  not replayed {p['order']}: {p['problem']}" for p in data["not_replayed"]]
    return "\n".join(out) + "\n"


def write_xlsx(data: dict, stream) -> None:
    """Three sheets (nodes, branches, orders not replayed), real numbers, rates as percentages."""
    book = Workbook(write_only=True)
    rate_keys = {"on_time_rate_current", "on_time_rate_proposed"}

    def sheet(title, first_titles, rows):
        ws = book.create_sheet(title)
        ws.append([cell(ws, t) for t in [*first_titles, *(t for _k, t in COLUMNS)]])
        for first, row in rows:
            values = [plain(ws, v) for v in first]
            for key in KEYS:
                value = row[key]
                is_rate = key in rate_keys and value is not None
                values.append(cell(ws, value, number_format="0.0%") if is_rate else value)
            ws.append(values)

    sheet("节点 nodes", ["分公司 branch", "类别 category", "节点 node"],
          [((r["branch"], r["category"], r["node"]), r) for r in [*data["rows"], *data["node_totals"]]])  # fmt: skip
    sheet("分公司 branches", ["分公司 branch"],
          [((b["branch"],), b) for b in data["branches"]] + [(("合计 total",), data["total"])])  # fmt: skip
    ws = book.create_sheet("未重放 not replayed")
    ws.append([cell(ws, "工单编号 order"), cell(ws, "原因 problem")])
    for problem in data["not_replayed"]:
        ws.append([plain(ws, problem["order"]), plain(ws, problem["problem"])])
    book.save(stream)
