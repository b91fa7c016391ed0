"""What the monthly analysis needs beyond the order's own rows (R12): the fees the customer paid.

The orders record no money. Getting Electricity's "cost" (成本, §3 of the notice: 获得电力环节、时间、成本) is
what the customer pays the utility for the connection, so each fee is one row here, written by
`services.fee_record` (or the admin), never changed afterwards: a correction is a second row with a
negative amount and a note. Fees are not part of the order's projection (no clock depends on them), so they
are not order events.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FeeItem(models.TextChoices):
    HIGH_RELIABILITY = "high_reliability", _("高可靠性供电费")
    METERING = "metering", _("计量装置费")
    WORKS = "works", _("受电工程费用")
    OTHER = "other", _("其他费用")


class CustomerFee(models.Model):
    scope_branch_field = "order__branch"

    order = models.ForeignKey("orders.WorkOrder", models.PROTECT, related_name="fees", verbose_name=_("业扩工单"))
    item = models.CharField(_("费用项目"), max_length=20, choices=FeeItem.choices)
    amount = models.DecimalField(_("金额(元)"), max_digits=12, decimal_places=2)
    charged_at = models.DateTimeField(_("收费时间"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("登记人")
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["order", "charged_at", "pk"]
        verbose_name = _("客户费用")
        verbose_name_plural = _("客户费用")

    def __str__(self) -> str:
        return f"{self.order_id}:{self.item} {self.amount}"
