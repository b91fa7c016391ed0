"""Where a pushed application goes (notice §1, R3) and which branch yekuo proposes for it.

- The construction-approval platform's orders always land in the customer service center's queue (R3): the
  notice gives the center the review and dispatch (审核派单) of those orders. Its route cannot be changed.
- Every other platform follows its `Platform.route` (data, edited in the admin or with `yekuo platforms`):
  `queue` (reviewed and dispatched by the center), `branch` (straight to the branch of the service area:
  the push is the dispatch, and the order is received at once) or `reserve` (the investment supervision
  platform's prospective projects, which are not orders: R5's reserve library).
- The proposal: the service area whose code the platform sent (`site.area_code`), else the one the site
  address maps to by its keywords (`accounts.selectors.propose_service_area`, the rule the counter uses).
"""

from __future__ import annotations

from yekuo.accounts.models import Branch, ServiceArea
from yekuo.accounts.selectors import propose_service_area
from yekuo.intake.models import Platform, Route

ALWAYS_QUEUED = {"approval_platform"}  # R3: 工程建设项目审批平台 orders go to the customer service center


def route_of(platform: Platform) -> str:
    if not platform.channel:
        return Route.RESERVE
    if platform.channel in ALWAYS_QUEUED:
        return Route.QUEUE
    return platform.route


def proposed_area(company, address: str, area_code: str = "") -> ServiceArea | None:
    """The service area of an application: by the code the platform sent, else by the address (R3)."""
    # With the branch's company: the order's creation reads the company's work calendar by its code.
    areas = ServiceArea.objects.select_related("branch__company")
    if area_code:
        found = areas.filter(branch__company=company, code=area_code).first()
        if found is not None:
            return found
    return propose_service_area(address, company, areas=areas)


def area_in_branch(branch: Branch, address: str) -> ServiceArea | None:
    """The service area of `branch` the address lies in; its only area when the address names none."""
    areas = ServiceArea.objects.filter(branch=branch)
    found = propose_service_area(address, areas=areas)
    if found is None and len(only := list(areas[:2])) == 1:
        found = only[0]
    return found
