"""Whole-category checks: the process graph, the clocks on it, and the recorded critical path.

Each check fails through the loader's Reader, so the error names the file and the path of the field
at fault. They run on a CategorySpec whose fields have already been read and typed.
"""

from itertools import product

from yekuo.regulations.codes import (
    CHANNELS,
    CONDITIONS,
    ENTRY_NODE,
    EVENTS,
    NODE_EVENTS,
    START_EVENTS,
    STOP_EVENTS,
)
from yekuo.regulations.spec import CategorySpec, ClockSpec, RegulationSpec


def check_category(r, where: str, category: CategorySpec) -> None:
    check_graph(r, where, category)
    check_coverage(r, where, category)
    for clock in category.clocks:
        check_clock(r, f"{where}.clocks.{clock.code}", category, clock)
    check_critical_path(r, f"{where}.critical_path", category)


def check_graph(r, where: str, category: CategorySpec) -> None:
    """No cycles, and every node is reached from acceptance (the order exists once it is received)."""
    nodes = {n.code: n for n in category.nodes}
    if ENTRY_NODE not in nodes:
        r.fail(f"{where}.nodes", f"has no {ENTRY_NODE} node: every process starts when the order is accepted")
    if nodes[ENTRY_NODE].predecessors:
        r.fail(
            f"{where}.nodes.{ENTRY_NODE}.predecessors",
            f"{ENTRY_NODE} starts the process; it has no predecessors",
        )
    state: dict[str, str] = {}

    def visit(code: str, trail: list[str]) -> None:
        if state.get(code) == "done":
            return
        if state.get(code) == "open":
            cycle = [*trail[trail.index(code) :], code]
            r.fail(
                f"{where}.nodes.{code}.predecessors",
                f"cycle in predecessors (each waits for the next): {' → '.join(cycle)}",
            )
        state[code] = "open"
        for before in nodes[code].predecessors:
            visit(before, [*trail, code])
        state[code] = "done"

    for code in nodes:
        visit(code, [])
    reached, frontier = {ENTRY_NODE}, [ENTRY_NODE]
    while frontier:
        current = frontier.pop()
        for node in category.nodes:
            if current in node.predecessors and node.code not in reached:
                reached.add(node.code)
                frontier.append(node.code)
    for code in nodes:
        if code not in reached:
            r.fail(
                f"{where}.nodes.{code}.predecessors",
                f"{code} is unreachable from {ENTRY_NODE}: no chain of predecessors leads back to it",
            )


def ancestors(category: CategorySpec, code: str) -> set[str]:
    found, frontier = set(), [code]
    while frontier:
        for before in category.node(frontier.pop()).predecessors:
            if before not in found:
                found.add(before)
                frontier.append(before)
    return found


def check_coverage(r, where: str, category: CategorySpec) -> dict[str, str]:
    """Every node is worked under exactly one clock; a clock is named after the first node it spans (I1)."""
    spans: dict[str, str] = {}
    for clock in category.clocks:
        at = f"{where}.clocks.{clock.code}"
        if not category.has_node(clock.code):
            r.fail(
                at,
                f"a clock is named after the first node it spans; {clock.code!r} is no node of this category",
            )
        if not clock.nodes:
            r.fail(f"{at}.nodes", "a clock spans at least one node")
        if clock.nodes[0] != clock.code:
            r.fail(f"{at}.nodes", f"the first node spanned must be {clock.code}, the clock's own code")
        for i, code in enumerate(clock.nodes):
            if code in spans:
                r.fail(f"{at}.nodes[{i}]", f"{code} is already spanned by the clock {spans[code]}")
            spans[code] = clock.code
            if i and clock.nodes[i - 1] not in category.node(code).predecessors:
                r.fail(f"{at}.nodes[{i}]", f"a clock spans a chain: {code} does not follow {clock.nodes[i - 1]}")
    for node in category.nodes:
        if node.code not in spans:
            r.fail(
                f"{where}.nodes.{node.code}",
                f"no clock runs while {node.code} is worked; add it to a clock's nodes",
            )
    return spans


def check_clock(r, where: str, category: CategorySpec, clock: ClockSpec) -> None:
    """A clock must be able to start on every channel and to stop; otherwise it never happens."""
    first = clock.nodes[0]
    upstream = ancestors(category, first)
    covered: dict[str, int] = {}
    for i, rule in enumerate(clock.starts):
        at = f"{where}.start[{i}]"
        _check_event(r, f"{at}.event", rule.event, rule.node, f"{at}.node", category)
        if rule.event not in START_EVENTS:
            r.fail(
                f"{at}.event",
                f"{rule.event} cannot start a clock; a start is one of: {', '.join(START_EVENTS)}",
            )
        allowed = START_EVENTS[rule.event]
        if allowed is not None and first not in allowed:
            r.fail(
                f"{at}.event",
                f"{rule.event} can only start the clock of {', '.join(sorted(allowed))}, not {first}",
            )
        if rule.node is not None and rule.node not in upstream:
            r.fail(
                f"{at}.node",
                f"the clock would never start: {rule.node} does not come before {first} in the predecessors",
            )
        for channel in rule.channels:
            if channel in covered:
                r.fail(f"{at}.channels", f"channel {channel} already starts at start[{covered[channel]}]")
            covered[channel] = i
    missing = [c for c in CHANNELS if c not in covered]
    if missing:
        r.fail(f"{where}.start", f"the clock would never start for orders from: {', '.join(missing)}")
    stop = clock.stop
    _check_event(r, f"{where}.stop.event", stop.event, stop.node, f"{where}.stop.node", category)
    if stop.event not in STOP_EVENTS:
        r.fail(
            f"{where}.stop.event",
            f"{stop.event} cannot stop a clock; a stop is one of: {', '.join(STOP_EVENTS)}",
        )
    if stop.node != clock.nodes[-1]:
        r.fail(
            f"{where}.stop.node",
            f"the clock spans up to {clock.nodes[-1]}, so it stops when that node completes",
        )


def _check_event(r, where: str, event, node, node_where: str, category: CategorySpec) -> None:
    if not isinstance(event, str) or event not in EVENTS:
        r.fail(where, f"unknown event {event!r}; known: {', '.join(sorted(EVENTS))}")
    if event in NODE_EVENTS:
        if node is None:
            r.fail(node_where, f"{event} needs the node it is about")
        if not isinstance(node, str) or not category.has_node(node):
            r.fail(node_where, f"{node!r} is not a node of {category.code}, so {event} for it never happens")
    elif node is not None:
        r.fail(node_where, f"{event} is not about a node; remove node")


def check_critical_path(r, where: str, category: CategorySpec) -> None:
    """The recorded utility time (REQUIREMENTS §4) must be what the limits add up to, in every case."""
    used = sorted({c.limit.by for c in category.clocks if c.limit.by} | {category.critical_path.by} - {None})
    for combo in product(*(CONDITIONS[name]["values"] for name in used)):
        conditions = dict(zip(used, combo, strict=True))
        recorded = category.critical_path.days(conditions)
        days, chain = category.longest_path(conditions)
        if recorded != days:
            case = ", ".join(f"{k} = {v}" for k, v in conditions.items())
            clocks = {c.code: c for c in category.clocks}
            route = " → ".join(f"{n} {clocks[n].limit.days(conditions):g}" if n in clocks else n for n in chain)
            r.fail(
                where,
                f"records {recorded:g} working days{f' when {case}' if case else ''}, "
                f"but the limits add up to {days:g} ({route})",
            )


def check_applies_to(r, data: dict, spec: RegulationSpec) -> None:
    """Each interpretation must point at places that exist in the file, so none is left dangling."""
    for item in spec.interpretations:
        for i, path in enumerate(item.applies_to):
            node = data
            for part in path.split("."):
                if not isinstance(node, dict) or part not in node:
                    r.fail(f"interpretations.{item.id}.applies_to[{i}]", f"{path!r} is not a path in this file")
                node = node[part]
