"""One small form per order action (O5): each names the service it feeds in `views.actions`.

Every action takes an optional back-dated time (补录时间) and its reason; the services decide whether
the time is acceptable and whether the reason is needed, and their errors land on these fields.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from yekuo.common import uploads
from yekuo.orders.models import SuspensionReason
from yekuo.web import labels
from yekuo.web.forms import BootstrapMixin


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
