"""The reserve library's forms (R5): filters, staff entry, follow-up, stage, works, link, import."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yekuo.accounts.models import Branch, ServiceArea
from yekuo.accounts.scope import restrict
from yekuo.reserve.models import FollowUp, LoadUnit, ReserveVoltage, Source, Stage, SupportingWork
from yekuo.web.forms import BootstrapMixin

ALL = _("全部")
DATE = forms.DateInput(attrs={"type": "date"})


class Styled(BootstrapMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class FilterForm(Styled):
    q = forms.CharField(label=_("搜索"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("项目/投资主体/信用代码/地址")}))  # fmt: skip
    stage = forms.ChoiceField(label=_("阶段"), required=False,
                              choices=[("", ALL), ("open", _("跟踪中（未报装、未放弃）")), *Stage.choices])  # fmt: skip
    source = forms.ChoiceField(label=_("来源"), required=False, choices=[("", ALL), *Source.choices])
    branch = forms.ModelChoiceField(label=_("供电分公司"), required=False, queryset=Branch.objects.none(),
                                    empty_label=ALL)  # fmt: skip
    since = forms.DateField(label=_("识别日期自"), required=False, widget=DATE)
    until = forms.DateField(label=_("至"), required=False, widget=DATE)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = restrict(Branch.objects.all(), user, "order.view")

    def params(self) -> dict:
        if not (self.is_bound and self.is_valid()):
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class ProjectForm(Styled):
    name = forms.CharField(label=_("项目名称"), max_length=200)
    investor_name = forms.CharField(label=_("投资主体"), max_length=100)
    investor_code = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    site_address = forms.CharField(label=_("项目地址"), max_length=200)
    service_area = forms.ModelChoiceField(label=_("营业区"), required=False, queryset=ServiceArea.objects.none(),
                                          empty_label=_("按地址自动匹配"))  # fmt: skip
    expected_load = forms.DecimalField(label=_("预计负荷"), required=False, max_digits=10, decimal_places=1,
                                       min_value=0)  # fmt: skip
    load_unit = forms.ChoiceField(label=_("负荷单位"), choices=LoadUnit.choices, initial=LoadUnit.KVA)
    voltage = forms.ChoiceField(label=_("预计电压等级"), required=False,
                                choices=[("", "—"), *ReserveVoltage.choices])  # fmt: skip
    expected_date = forms.DateField(label=_("预计用电时间"), required=False, widget=DATE)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_area"].queryset = restrict(
            ServiceArea.objects.select_related("branch"), user, "reserve.manage"
        )


class StageForm(Styled):
    stage = forms.ChoiceField(label=_("阶段"), choices=[(s, s.label) for s in Stage if s != Stage.APPLIED])
    reason = forms.CharField(label=_("原因/说明（放弃须填写）"), required=False, max_length=500)


class FollowUpForm(Styled):
    at = forms.DateTimeField(label=_("跟踪时间"), required=False,
                             widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))  # fmt: skip
    method = forms.ChoiceField(label=_("方式"), choices=FollowUp.Method.choices)
    content = forms.CharField(label=_("跟踪内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    next_step = forms.CharField(label=_("下一步"), max_length=200, required=False)


class WorkForm(Styled):
    kind = forms.ChoiceField(label=_("类别"), choices=SupportingWork.Kind.choices)
    description = forms.CharField(label=_("工程内容"), max_length=200)
    planned_ready = forms.DateField(label=_("计划具备时间"), required=False, widget=DATE)
    readiness = forms.ChoiceField(label=_("准备情况"), choices=SupportingWork.Readiness.choices)


class WorkUpdateForm(Styled):
    work = forms.IntegerField(widget=forms.HiddenInput)
    readiness = forms.ChoiceField(label=_("准备情况"), choices=SupportingWork.Readiness.choices)
    planned_ready = forms.DateField(label=_("计划具备时间"), required=False, widget=DATE)


class LinkForm(Styled):
    order = forms.CharField(label=_("业扩工单编号"), max_length=20)


class PlaceForm(Styled):
    service_area = forms.ModelChoiceField(label=_("营业区"), queryset=ServiceArea.objects.none())

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_area"].queryset = restrict(
            ServiceArea.objects.select_related("branch"), user, "reserve.manage"
        )


class ImportForm(Styled):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))
