"""One small form per order action (O5): each names the service it feeds in `views.actions`.

Every action takes an optional back-dated time (补录时间) and its reason; the services decide whether
the time is acceptable and whether the reason is needed, and their errors land on these fields.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from yekuo.accounts.models import ServiceArea
from yekuo.common import uploads
from yekuo.orders.gates import locked_fields
from yekuo.orders.models import SuspensionReason
from yekuo.orders.selectors import mask
from yekuo.web import labels
from yekuo.web.forms import BootstrapMixin, CounterOrderForm


class ActionForm(BootstrapMixin, forms.Form):
    occurred_at = forms.DateTimeField(
        label=_("补录时间"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("留空为当前时间；早于当前时间的补录需填写原因"),
    )
    reason = forms.CharField(label=_("补录原因"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"occurred_at": data.get("occurred_at") or None, "reason": data.get("reason", "")}


class CompleteForm(ActionForm):
    node = forms.ChoiceField(label=_("节点"))
    note = forms.CharField(label=_("办理意见"), required=False, max_length=500)

    def __init__(self, *args, nodes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = [(row.node.code, row.name) for row in nodes]


class CustomerEventForm(ActionForm):
    type = forms.ChoiceField(label=_("客户事项"))

    def __init__(self, *args, events=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [(code, labels.event(code)) for code in events]


class SuspendForm(ActionForm):
    reason_code = forms.ModelChoiceField(
        label=_("暂停原因"), queryset=SuspensionReason.objects.filter(active=True), to_field_name="code"
    )
    evidence_note = forms.CharField(label=_("证明说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence_file = forms.FileField(
        label=_("证明文件"),
        required=False,
        help_text=_("PDF、JPEG 或 PNG"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")
        if upload and (problem := uploads.refusal(upload)):
            raise forms.ValidationError(problem, code="evidence_type")
        return upload

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason_code"].label_from_instance = labels.reason


class ResumeForm(ActionForm):
    pass


class CancelForm(ActionForm):
    cancel_reason = forms.CharField(label=_("撤销原因"), max_length=500)


class ReopenForm(ActionForm):
    reopen_reason = forms.CharField(label=_("重新开启原因"), max_length=500)


class AssignForm(BootstrapMixin, forms.Form):
    """No back-dating here: an assignment is recorded when it is made (order_assign takes no reason)."""

    target = forms.ChoiceField(label=_("节点与责任人"))

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Grouped by node: value "node:user_pk", so one select serves nodes owned by different roles.
        self.fields["target"].choices = list(targets)
        self.style()

    def service_kwargs(self) -> dict:
        return {}

    def node_and_user(self) -> tuple[str, int]:
        node, user = self.cleaned_data["target"].split(":", 1)
        return node, int(user)


class ReceiveForm(ActionForm):
    pass


class EditForm(BootstrapMixin, forms.Form):
    """修改工单信息 (O8): the counter form's fields, filled with the order's values, checked by the same
    service rules. The phone and ID number are not filled in (that would show them without a recorded
    reveal, O9): left empty they stay as they are; their masked value is the placeholder."""

    PERSONAL = ("customer_phone", "customer_id_number")
    customer_name = CounterOrderForm.base_fields["customer_name"]
    customer_id_number = CounterOrderForm.base_fields["customer_id_number"]
    customer_phone = CounterOrderForm.base_fields["customer_phone"]
    customer_notice = CounterOrderForm.base_fields["customer_notice"]
    site_address = CounterOrderForm.base_fields["site_address"]
    service_area = CounterOrderForm.base_fields["service_area"]
    capacity_kva = CounterOrderForm.base_fields["capacity_kva"]
    voltage = CounterOrderForm.base_fields["voltage"]
    note = forms.CharField(label=_("修改说明"), required=False, max_length=500)

    def __init__(self, *args, order=None, **kwargs):
        self.order = order
        if order is not None:
            kwargs.setdefault("initial", {
                "customer_name": order.customer_name, "customer_notice": order.customer_notice,
                "site_address": order.site_address, "service_area": order.service_area_id,
                "capacity_kva": order.capacity_kva, "voltage": order.voltage,
            })  # fmt: skip
        super().__init__(*args, **kwargs)
        if order is not None:
            self.fields["service_area"].queryset = ServiceArea.objects.filter(branch_id=order.branch_id)
            self.fields["service_area"].help_text = _("改了用电地址而营业区不变时，按新地址重新匹配本分公司的营业区")
            for name in self.PERSONAL:
                current = getattr(order, name)
                self.fields[name].widget.attrs["placeholder"] = mask(current) if current else ""
                self.fields[name].help_text = _("不修改请留空")
            for name, why in locked_fields(order).items():  # R2: what a service returned is read-only
                if name in self.fields:
                    field = self.fields[name]
                    field.disabled, field.help_text = True, why
                    field.widget.attrs["readonly"] = True
        self.style()

    def service_kwargs(self) -> dict:
        return {}

    def changes(self) -> dict:
        """What the user changed: a personal field only when typed in, the area only when chosen anew."""
        data, order, found = self.cleaned_data, self.order, {}
        for name in ("customer_name", "customer_notice", "site_address", "capacity_kva", "voltage"):
            if data.get(name) != getattr(order, name):
                found[name] = data.get(name)
        for name in self.PERSONAL:
            if data.get(name):
                found[name] = data[name]
        if data.get("service_area") is not None and data["service_area"].pk != order.service_area_id:
            found["service_area"] = data["service_area"]
        return found


class JointForm(ActionForm):
    """R4: the customer's answer to the offer of joint application with water, gas, heating and telecom."""

    accepted = forms.TypedChoiceField(
        label=_("客户是否联合报装"),
        choices=[("yes", _("是，联合报装")), ("no", _("否，不需要"))],
        coerce=lambda v: v == "yes",
    )
    units = forms.MultipleChoiceField(
        label=_("联合报装单位"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("工单受理信息及证照资料将经工程建设项目审批平台推送至所选单位"),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from yekuo.partners.selectors import UNIT_LABELS

        self.fields["units"].choices = list(UNIT_LABELS.items())

    def clean(self):
        data = super().clean()
        if data.get("accepted") and not data.get("units"):
            self.add_error("units", _("请选择至少一个联合报装单位"))
        return data
