"""A regulation's tables as the notice prints them (Attachment 1): rows for text and for JSON.

Columns follow the notice: 环节名称, 节点名称, 规定时限, 计算规则, 责任人, 归口部门. A stage is printed
once, on its first row, as the notice merges the cell; a node that shares a clock (I1) shows the shared
limit in brackets, where the notice leaves the cell blank.
"""

import unicodedata

from yekuo.regulations.spec import CategorySpec, RegulationSpec

HEADERS = (
    "环节名称 stage",
    "节点名称 node",
    "规定时限 limit",
    "计算规则 start rule",
    "责任人 role",
    "归口部门 department",
)


def _days(value: float) -> str:
    return f"{value:g}"


def category_rows(spec: RegulationSpec, category: CategorySpec) -> list[dict]:
    rows = []
    for node in category.nodes:
        clock = category.clock_of(node.code)
        own = clock.code == node.code
        stage = category.stage(node.stage)
        rows.append(
            {
                "stage": stage.code,
                "stage_name": stage.name,
                "node": node.code,
                "node_name": node.name,
                "node_name_en": node.name_en,
                "clock": clock.code,
                "limit": clock.limit.to_content(),
                "limit_text": clock.limit.display() if own else f"({clock.limit.display()}, shared with {clock.code})",
                "start_rule": clock.rule if own else "",
                "starts": [rule.to_content() for rule in clock.starts] if own else [],
                "stop": clock.stop.to_content() if own else None,
                "role": node.role,
                "role_name": spec.role_name(node.role),
                "department": node.department,
                "department_name": spec.department_name(node.department),
                "predecessors": list(node.predecessors),
                "parallel": node.parallel,
                "alongside": node.alongside,
            }
        )
    return rows


def category_data(spec: RegulationSpec, category: CategorySpec) -> dict:
    return {
        "code": category.code,
        "name": category.name,
        "table": category.table,
        "critical_path": category.critical_path.to_content(),
        "rows": category_rows(spec, category),
    }


def regulation_data(spec: RegulationSpec, categories: list[CategorySpec]) -> dict:
    return {
        "code": spec.code,
        "document": spec.document,
        "title": spec.title,
        "effective_from": spec.effective_from.isoformat(),
        "supersedes": spec.supersedes,
        "unit": spec.rules.unit,
        "categories": [category_data(spec, c) for c in categories],
    }


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]


def category_text(spec: RegulationSpec, category: CategorySpec) -> list[str]:
    lines = [f"{category.name} {category.code} — {category.table or category.name}（时限单位：工作日）"]
    cells = [HEADERS]
    shown_stage = None
    for row in category_rows(spec, category):
        stage = f"{row['stage_name']} {row['stage']}" if row["stage"] != shown_stage else ""
        shown_stage = row["stage"]
        cells.append(
            (
                stage,
                f"{row['node_name']} {row['node']}",
                row["limit_text"],
                row["start_rule"] or "—",
                f"{row['role_name']} {row['role']}",
                f"{row['department_name']} {row['department']}",
            )
        )
    lines += _table(cells)
    for clock in category.clocks:
        if clock.limit.by:
            cases = ", ".join(f"{name} {_days(days)}" for name, days in clock.limit.values)
            lines.append(f"  {clock.code}: limit by {clock.limit.by}: {cases}")
    for node in category.nodes:
        if node.parallel:
            beside = f" beside {node.alongside}" if node.alongside else ""
            lines.append(f"  {node.code} runs in parallel{beside} (after {', '.join(node.predecessors)})")
    path = category.critical_path
    by = f" (by {path.by}: {'/'.join(n for n, _ in path.values if n != 'pending')})" if path.by else ""
    lines.append(f"  关键路径 critical path, utility time: {path.display()}{by} working days")
    return lines


def regulation_text(spec: RegulationSpec, categories: list[CategorySpec]) -> str:
    lines = [
        f"{spec.document} {spec.code} — {spec.title}",
        f"effective from {spec.effective_from}" + (f", supersedes {spec.supersedes}" if spec.supersedes else ""),
    ]
    for category in categories:
        lines += ["", *category_text(spec, category)]
    return "\n".join(lines)
