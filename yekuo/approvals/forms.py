"""The forms of the works page (R6, R7). Each takes the optional back-dated time and reason of every order
action (`web.action_forms.ActionForm`); the services decide whether they are acceptable."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from yekuo.approvals.models import AuthorityAnswer, Consultation
from yekuo.web.action_forms import ActionForm

YES_NO = [("", _("请选择")), ("true", _("是")), ("false", _("否"))]
# Route names and authorities may be given one a line, or separated by 、，, ; or ；
SEPARATORS = re.compile(r"[\n\r、，,;；]+")


def _flag(label, help_text=""):
    """A yes/no the person must answer: nothing is chosen for them."""
    return forms.TypedChoiceField(label=label, choices=YES_NO, coerce=lambda v: v == "true", help_text=help_text)


def split_names(text: str) -> list[str]:
    return [name.strip() for name in SEPARATORS.split(text or "") if name.strip()]


class WorksForm(ActionForm):
    """The facts of the works (notice §2 ¶1, in its order), the route, and a manager's override."""

    voltage_kv = forms.DecimalField(
        label=_("供电电压（kV）"), min_value=0, max_digits=7, decimal_places=3, help_text=_("低压填 0.4")
    )
    excavation_m = forms.DecimalField(
        label=_("开挖（下穿、上跨）道路、破绿长度（米）"),
        min_value=0,
        max_digits=9,
        decimal_places=1,
        help_text=_("道路与绿地合计，含下穿、上跨"),
    )
    obstacles = _flag(_("中间有障碍物"))
    single_function = _flag(_("功能单一"))
    simple_technique = _flag(_("技术要求简单"))
    touches_important_street = _flag(_("涉及重要街路或景观节点"))
    route = forms.CharField(
        label=_("施工路径经过的街路、节点"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("每行一个，或用顿号、逗号分隔；与公司重要街路和景观节点名录核对"),
    )
    design_unit = forms.CharField(label=_("设计单位"), required=False, max_length=200)
    route_description = forms.CharField(
        label=_("路径说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    override = forms.TypedChoiceField(
        label=_("调整判定（管理人员）"),
        required=False,
        coerce=lambda v: v == "true",
        empty_value=None,
        choices=[("", _("不调整，按判定结果")), ("true", _("调整为：简易低风险")), ("false", _("调整为：需行政审批"))],
    )
    override_reason = forms.CharField(
        label=_("调整理由"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, may_override: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_override:
            del self.fields["override"], self.fields["override_reason"]

    def facts_data(self) -> dict:
        data = self.cleaned_data
        facts = {
            key: data[key] for key in ("obstacles", "single_function", "simple_technique", "touches_important_street")
        }
        facts["voltage_kv"] = float(data["voltage_kv"])
        facts["excavation_m"] = float(data["excavation_m"])
        route = split_names(data.get("route", ""))
        if route:
            facts["route"] = route
        return facts


class FilingForm(ActionForm):
    pass


class TimeOnlyForm(ActionForm):
    """A record of the works that keeps its time but no back-dating reason (the submission, the consultations):
    the reason is not asked for, since nothing would keep it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["reason"]
        self.fields["occurred_at"].help_text = _("留空为当前时间")

    def service_kwargs(self) -> dict:
        return {"occurred_at": self.cleaned_data.get("occurred_at") or None}


class SubmitForm(TimeOnlyForm):
    authorities = forms.CharField(label=_("审批部门"), max_length=1000, help_text=_("如：住建局、交通运输局、园林局"))

    def authority_list(self) -> list[str]:
        return split_names(self.cleaned_data["authorities"])


class AnswerForm(ActionForm):
    authority = forms.ChoiceField(label=_("审批部门"))
    verdict = forms.ChoiceField(label=_("答复"), choices=[("", _("请选择")), *AuthorityAnswer.VERDICTS])
    note = forms.CharField(label=_("说明"), required=False, max_length=2000)
    suspend = forms.BooleanField(label=_("需补正材料时暂停计时（客户资料不全）"), required=False)

    def __init__(self, *args, authorities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authority"].choices = [(name, name) for name in authorities]


class ConsultForm(TimeOnlyForm):
    owner_kind = forms.ChoiceField(label=_("管线类别"), choices=[("", _("请选择")), *Consultation.OWNER_KINDS])
    owner_name = forms.CharField(label=_("管线权属单位"), max_length=200)
    request = forms.CharField(label=_("征询内容"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class ConsultAnswerForm(TimeOnlyForm):
    answer = forms.CharField(label=_("答复意见"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    conflicts = forms.CharField(
        label=_("发现的冲突（每行一条）"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def conflict_list(self) -> list[str]:
        return [line.strip() for line in (self.cleaned_data.get("conflicts") or "").splitlines() if line.strip()]


class ResolveForm(TimeOnlyForm):
    resolution = forms.CharField(label=_("处理方式"), max_length=4000)
