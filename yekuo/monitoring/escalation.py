"""Who is told of a warning, in escalation order (R9 「通知责任人并向其部门升级」; notice §3, and §1: the
customer service center controls the whole process).

The rule names, per level, the tiers told (rules.py, data/warnings.toml); by default 预警 reaches the
responsible person, 超期 also the branch manager, 严重超期 also the owning department and the customer
service center. The tiers, in this order:

- `responsible`: the node's assignee; without one, the active holders of the node's role in the order's
  branch. When there is nobody, the branch manager is told in their place (so a warning always reaches
  someone who can act).
- `branch_manager`: the active branch managers (分公司经理) of the order's branch.
- `department`: the managers (部门经理) of the department that owns the node (归口部门, from the
  regulation: 营销服务部 or 生产技术部) in the order's company.
- `service_center`: the people of the customer service center (客户服务中心) of the order's company; where
  no one is placed in it, the company's dispatchers (调度员), who work for it.

A person reached by several tiers is told once, under the first.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from yekuo.monitoring.rules import rule_book

SERVICE_CENTER = "customer_service_center"


def _active(**filters):
    return list(get_user_model().objects.filter(is_active=True, **filters).order_by("pk").distinct())


def tier_users(tier: str, order, node) -> list:
    branch = order.branch
    if tier == "responsible":
        if node is None:
            return []
        if node.assignee_id and node.assignee.is_active:
            return [node.assignee]
        return _active(branch=branch, roles__code=node.role)
    if tier == "branch_manager":
        return _active(branch=branch, roles__code="branch_manager")
    if tier == "department":
        if node is None:
            return []
        return _active(company_id=branch.company_id, department__code=node.department, roles__code="department_manager")
    if tier == "service_center":
        return _active(company_id=branch.company_id, department__code=SERVICE_CENTER) or _active(
            company_id=branch.company_id, branch__isnull=True, roles__code="dispatcher"
        )
    raise ValueError(f"unknown notification tier {tier!r}")


def tiers_for(warning) -> tuple[str, ...]:
    """The tiers the warning's rule names for its level."""
    book = rule_book()
    order = warning.order
    rule = book.rule_for(
        order.regulation_code, order.category, warning.clock.code, float(warning.clock.limit_days) == 0
    )
    try:
        return rule.level(warning.level).notify
    except StopIteration:  # a level since removed from the rules: its responsible person still hears of it
        return ("responsible",)


def _tier_users(tier: str, order, node, memo: dict | None) -> list:
    """tier_users, remembered in `memo` for the same branch and node owner (one run of the notifier)."""
    if memo is None:
        return tier_users(tier, order, node)
    owner = None if node is None else (node.assignee_id, node.role, node.department)
    key = ("tier", tier, order.branch_id, owner)
    if key not in memo:
        memo[key] = tier_users(tier, order, node)
    return memo[key]


def recipients(warning, memo: dict | None = None) -> list[tuple[str, object]]:
    """(tier, user) in escalation order, each user once (module docstring)."""
    tiers = list(tiers_for(warning))
    found: list[tuple[str, object]] = []
    seen: set[int] = set()
    for tier in tiers:
        people = _tier_users(tier, warning.order, warning.node, memo)
        if tier == "responsible" and not people and "branch_manager" not in tiers:
            people = _tier_users("branch_manager", warning.order, warning.node, memo)
        for user in people:
            if user.pk not in seen:
                seen.add(user.pk)
                found.append((tier, user))
    return found
