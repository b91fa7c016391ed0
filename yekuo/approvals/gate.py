"""The gate on the grid supporting works (R6, R7): what is still open on an order, and the check that
holds the works while it is.

- R7 (notice §2 ¶2: 设计单位在路径选择时……征询沿线管线权属单位意见): a route consultation is open until the
  pipeline owner has answered and every conflict found is resolved;
- R6 (notice §2 ¶1: 在施工前完成备案即可): the filing of low-risk works is open until it is recorded;
- R6 (压缩行政审批办理时限至3个工作日内): the approval of other works is open until every authority has
  approved.

Completing `grid_works` is refused while any of them is open; completing `approval` — which starts the
grid works' clock; the order records no construction start of its own — is refused while the filing or the
approval is open (those services complete it themselves). An open consultation does not hold `approval`:
that completion is the filing itself, and a 0-day approval clock must not run over waiting for a pipeline
owner (docs/approvals.md, The gate). `YEKUO_WORKS_GATE` says which of the three hold the
works (default all; `off`). Orders whose works were never recorded here (relayed by the control layer,
or from before) are not held.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from yekuo.common.errors import YekuoError


class GateClosed(YekuoError):
    code = "gate_closed"


def open_items(order) -> list[tuple[str, str]]:
    """(kind, Chinese text) of everything that holds the order's grid works, whatever the setting."""
    from yekuo.approvals.models import Consultation, WorksDecision

    items: list[tuple[str, str]] = []
    for c in Consultation.objects.filter(order=order).prefetch_related("conflicts"):
        if c.answered_at is None:
            items.append(("consultation", _("路径征询未答复：%(owner)s") % {"owner": c.owner_name}))
        for conflict in c.conflicts.all():
            if conflict.resolved_at is None:
                items.append(("consultation", _("管线冲突未解决：%(owner)s（%(what)s）")
                              % {"owner": c.owner_name, "what": conflict.description[:40]}))  # fmt: skip
    decision = WorksDecision.objects.filter(order=order).order_by("-recorded_at", "-pk").first()
    if decision is not None and decision.limit_days is not None:
        if decision.low_risk and not hasattr(order, "filing"):
            items.append(("filing", _("告知承诺备案未办理")))
        if not decision.low_risk:
            request = getattr(order, "approval_request", None)
            if request is None:
                items.append(("approval", _("行政审批未提交")))
            elif request.approved_at is None:
                items.append(("approval", _("行政审批未批复")))
    return items


def holding(order, node: str) -> list[str]:
    """The open items that hold the completion of `node` under the setting."""
    kinds = set(settings.YEKUO_WORKS_GATE)
    if node == "approval":
        kinds -= {"consultation"}
    elif node != "grid_works":
        return []
    if not kinds:
        return []
    order = type(order).objects.get(pk=order.pk)  # fresh: the filing or request may be new in this transaction
    return [text for kind, text in open_items(order) if kind in kinds]


def check(order, node: str) -> None:
    """Registered with `orders.gates`: refuse the completion while something holds it."""
    texts = holding(order, node)
    if texts:
        if node == "grid_works":
            what = _("配套工程不能完工")
        else:
            what = _("配套工程不能开工（办理行政审批（备案）手续不能办结）")
        raise GateClosed(_("%(what)s：%(items)s") % {"what": what, "items": _("；").join(texts)}, field="node")
