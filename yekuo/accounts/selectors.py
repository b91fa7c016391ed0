"""Reads about organisation and people: the branch for an address (R3), who can be assigned."""

from django.db.models import F, Q, QuerySet

from yekuo.accounts.models import Branch, Company, ServiceArea, User


def _score(address: str, keywords: list[str]) -> tuple[int, int]:
    """(where the match ends, its length) of the keyword matched furthest right; (0, 0) for none.

    A Chinese address runs from the general to the specific (市 → 区/旗 → 镇/街道 → 路 → 号), so the
    keyword that ends furthest right is the most specific: "伊金霍洛旗札萨克镇" lies in the area of
    札萨克镇, not merely in the banner.
    """
    best = (0, 0)
    for keyword in keywords:
        at = address.rfind(keyword) if keyword else -1
        if at >= 0:
            best = max(best, (at + len(keyword), len(keyword)))
    return best


def _matches(address: str, company: Company | None, areas: QuerySet | None = None) -> list[ServiceArea]:
    """The service areas (of `areas`, default all) whose keyword match scores best (several on a tie)."""
    address = (address or "").strip()
    if not address:
        return []
    areas = (ServiceArea.objects.all() if areas is None else areas).select_related("branch")
    if company is not None:
        areas = areas.filter(branch__company=company)
    best, found = (0, 0), []
    for area in areas:
        score = _score(address, area.keywords or [])
        if score > best:
            best, found = score, [area]
        elif score == best and score[0]:
            found.append(area)
    return found


def propose_service_area(
    address: str, company: Company | None = None, areas: QuerySet | None = None
) -> ServiceArea | None:
    """The service area (营业区) an address lies in, by its address keywords (R3).

    The keyword matched furthest right wins (then the longer one). None when nothing matches or two
    areas tie: the dispatcher then decides. `areas` narrows the candidates (e.g. to one branch's).
    """
    found = _matches(address, company, areas)
    return found[0] if len(found) == 1 else None


def propose_branch(address: str, company: Company | None = None) -> Branch | None:
    """The branch to dispatch an order to, proposed from its site address (notice §1, R3: 审核派单).

    The service area whose address keywords match best (the keyword matched furthest right wins, then the
    longer one) gives the branch; a tie between areas of the same branch still proposes that branch, a tie
    between branches or no match proposes nothing. Only a proposal: the dispatcher confirms or changes it.
    """
    branches = {area.branch_id: area.branch for area in _matches(address, company)}
    return next(iter(branches.values())) if len(branches) == 1 else None


def users_with_role(role: str, branch: Branch, *, active: bool = True) -> QuerySet[User]:
    """The users holding `role` who work at `branch`: its own staff first, then company-scope staff
    (the people an order of that branch can be assigned to)."""
    users = User.objects.filter(
        Q(branch__isnull=True) | Q(branch=branch), roles__code=role, company_id=branch.company_id
    ).order_by(F("branch").asc(nulls_last=True), "username")
    return users.filter(is_active=True) if active else users


def sign_in_records(user, kind: str = "success", username: str = "") -> QuerySet:
    """The sign-in records (django-axes) an auditor may read (S2, R16): `success` (every successful sign-in,
    with its sign-out) or `failure` (every failed one, and whether it was refused for a lockout), newest first.

    Scoped as the orders are (`restrict` on the users): a branch auditor reads the records of the branch's
    users, a company auditor those of the company's users and, in addition, the failures under a name that is
    no user's at all (someone guessing names belongs to no branch, and the company is who is attacked).
    Superusers read everything; a user without `audit.view` nothing.
    """
    from axes.models import AccessFailureLog, AccessLog

    from yekuo.accounts.permissions import can
    from yekuo.accounts.scope import restrict

    model = AccessFailureLog if kind == "failure" else AccessLog
    records = model.objects.all()
    if not can(user, "audit.view"):
        return records.none()
    if not user.is_superuser:
        scope = Q(username__in=restrict(User.objects.all(), user, "audit.view").values("username"))
        if kind == "failure" and user.company_id and not user.branch_id:
            scope |= ~Q(username__in=User.objects.values("username")) | Q(username__isnull=True)
        records = records.filter(scope)
    if username:
        records = records.filter(username=username)
    return records.order_by("-attempt_time", "-pk")
