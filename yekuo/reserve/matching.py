"""A new order meets its reserve project (REQUIREMENTS R5: converted into a real order when the customer applies).

Whatever the channel (counter, platform, online, 帮您办, the control layer), `orders.services.order_create`
calls `order_created` on commit (`orders.hooks`). An order whose customer is a unit (its ID number a valid
unified social credit code) is looked up in the open projects of its company with that credit code: one
indexed query (`reserve_investor`), nothing at all for a resident. A project whose site matches — the same
service area, or addresses that are nearly the same — gets the order proposed (`OrderMatch`, and the
project's history says so); staff link it or dismiss it on the project's or the order's page. Nothing is
linked without a person: an investor may have several projects, and a proposal is only a proposal.
"""

from __future__ import annotations

import logging
import re
from difflib import SequenceMatcher
from functools import cache

from django.db import IntegrityError, connection, transaction

from yekuo.orders.validation import uscc_ok
from yekuo.reserve.models import OPEN_STAGES, OrderMatch, Project, ProjectEvent

log = logging.getLogger(__name__)

# Addresses as people write them differ in the province and city they leave out, spaces and punctuation.
NOISE = re.compile(r"[\s,，.。、;；:：()（）\-—#号]|内蒙古自治区|内蒙古|鄂尔多斯市")
SIMILAR = 0.6  # SequenceMatcher ratio from which two addresses are taken for one site


def address_key(address: str) -> str:
    return NOISE.sub("", address or "")


def site_similarity(a: str, b: str) -> float:
    a, b = address_key(a), address_key(b)
    if not a or not b:
        return 0.0
    if a in b or b in a:
        return 1.0
    return round(SequenceMatcher(None, a, b).ratio(), 2)


def site_matches(project: Project, order) -> dict | None:
    """Why the order's site is the project's (same service area, address similarity), or None."""
    similarity = site_similarity(project.site_address, order.site_address)
    same_area = bool(project.service_area_id) and project.service_area_id == order.service_area_id
    if not same_area and similarity < SIMILAR:
        return None
    return {"credit_code": True, "same_area": same_area, "address_similarity": similarity}


@cache
def _open_projects_sql() -> str:
    """The look-up as SQL written once (table and columns from the model): the ORM's building of the same
    query cost more than the query itself, ~1.2 ms of Python per order on the CI machine (bench/reserve_match.py)."""
    meta, quote = Project._meta, connection.ops.quote_name
    column = {name: quote(meta.get_field(name).column) for name in ("id", "investor_code", "company", "order", "stage")}
    marks = ", ".join(["%s"] * len(OPEN_STAGES))
    return (
        f"SELECT {column['id']} FROM {quote(meta.db_table)} WHERE {column['investor_code']} = %s "
        f"AND {column['company']} = %s AND {column['order']} IS NULL AND {column['stage']} IN ({marks})"
    )


def candidates(order):
    """The open projects of the order's company with its customer's credit code: one indexed query
    (`reserve_investor`), and the projects read only when there are any."""
    code = (order.customer_id_number or "").upper()
    if not uscc_ok(code):
        return []
    with connection.cursor() as cursor:
        cursor.execute(_open_projects_sql(), [code, order.branch.company_id, *OPEN_STAGES])
        ids = [row[0] for row in cursor.fetchall()]
    return list(Project.objects.filter(pk__in=ids)) if ids else []


def order_created(order) -> list[OrderMatch]:
    """Propose the new order to each open project it matches (run on commit of the order)."""
    found = []
    for project in candidates(order):
        reason = site_matches(project, order)
        if reason is None:
            continue
        try:
            with transaction.atomic():
                match = OrderMatch.objects.create(project=project, order=order, reason=reason)
                ProjectEvent.objects.create(project=project, kind=ProjectEvent.Kind.PROPOSED, at=match.created_at,
                                            payload={"order": order.number, **reason})  # fmt: skip
        except IntegrityError:
            continue  # proposed already
        found.append(match)
    if found:
        log.info("order %s proposed to reserve projects %s", order.number, [m.project_id for m in found])
    return found
