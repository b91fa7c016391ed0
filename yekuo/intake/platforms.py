"""Setting up partner platforms (R1, R3): the four of the notice, their accounts and routes.

`platform_ensure` makes (or updates) a platform with its account: a user of the integration role, company
scope, that cannot sign in (no password) and that the platform's orders name as their creator.
"""

from __future__ import annotations

from django.db import transaction

from yekuo.accounts.models import Company, User
from yekuo.accounts.services import user_create
from yekuo.common.errors import InvalidInput
from yekuo.intake.models import Platform, Route
from yekuo.intake.routing import ALWAYS_QUEUED

# code → (name, channel, default route). The codes of the government platforms are their channels (§5);
# the investment supervision platform feeds the reserve library (R5) and has no channel.
KNOWN: dict[str, tuple[str, str, str]] = {
    "approval_platform": ("工程建设项目审批平台", "approval_platform", Route.QUEUE),
    "gov_portal": ("全区一体化政务服务平台", "gov_portal", Route.QUEUE),
    "mengsuban": ("蒙速办", "mengsuban", Route.QUEUE),
    "investment_platform": ("投资在线监审平台", "", Route.RESERVE),
}


def platform_ensure(code: str, company: Company, *, route: str | None = None, name: str = "",
                    channel: str | None = None) -> Platform:  # fmt: skip
    """The platform `code` of `company`, made if missing; `route` changes its route (R3: the
    construction-approval platform always routes through the queue)."""
    known = KNOWN.get(code)
    if known is None and (found := Platform.objects.filter(code=code).first()) is not None:
        known = (found.name, found.channel, found.route)  # one made before with its own name (the `online` one)
    if known is None and (channel is None or not name):
        raise InvalidInput(
            f"platform {code!r} is not one of {', '.join(KNOWN)}: give its name and channel", field="code"
        )
    name, channel, default_route = (name or known[0], known[1] if channel is None else channel, known[2]) if known \
        else (name, channel, Route.QUEUE)  # fmt: skip
    if route is not None and route not in Route.values:
        raise InvalidInput(f"route must be one of {', '.join(Route.values)}", field="route")
    if channel in ALWAYS_QUEUED and route not in (None, Route.QUEUE):
        raise InvalidInput("the construction-approval platform's orders always go to the dispatch queue (R3)",
                           field="route")  # fmt: skip
    with transaction.atomic():
        platform = Platform.objects.filter(code=code).first()
        if platform is None:
            username = f"platform_{code}"
            account = User.objects.filter(username=username).first() or user_create(
                username=username, full_name=name, company=company, roles=["integration"]
            )
            platform = Platform.objects.create(code=code, name=name, channel=channel, company=company,
                                               route=route or default_route, account=account)  # fmt: skip
        elif route is not None and platform.route != route:
            platform.route = route
            platform.save(update_fields=["route"])
    return platform
