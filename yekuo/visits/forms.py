"""The forms of the return-visit pages (R11): the plan's filters, planning, the visit, the follow-up, the import."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yekuo.accounts.models import Branch
from yekuo.regulations.codes import CATEGORIES
from yekuo.visits.models import Channel, ProblemCategory
from yekuo.web import labels
from yekuo.web.forms import ALL, BootstrapMixin

MONTH_WIDGET = forms.TextInput(attrs={"type": "month", "placeholder": "2026-11"})
STATUSES = [
    ("", ALL),
    ("planned", _("待回访")),
    ("done", _("已回访")),
    ("unreached", _("未联系上")),
    ("disagree", _("时间不一致")),
    ("problems", _("发现问题")),
]
YES_NO = [("", "—"), ("yes", _("是")), ("no", _("否"))]


def last_month() -> str:
    today = timezone.localdate()
    first = today.replace(day=1)
    previous = first - timezone.timedelta(days=1)
    return previous.strftime("%Y-%m")


class Styled(BootstrapMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class VisitFilterForm(Styled):
    month = forms.RegexField(label=_("月份"), regex=r"^\d{4}-(0[1-9]|1[0-2])$", required=False, widget=MONTH_WIDGET)
    branch = forms.ChoiceField(label=_("供电分公司"), required=False)
    category = forms.ChoiceField(label=_("业务类别"), required=False)
    status = forms.ChoiceField(label=_("回访状态"), required=False, choices=STATUSES)
    assignee = forms.ChoiceField(label=_("回访人"), required=False, choices=[("", ALL), ("me", _("我的"))])

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        branches = Branch.objects.order_by("code")
        if user is not None and not user.is_superuser:
            branches = branches.filter(company_id=user.company_id)
            if user.branch_id:
                branches = branches.filter(pk=user.branch_id)
        self.fields["branch"].choices = [("", ALL), *((b.code, b.name) for b in branches)]
        self.fields["category"].choices = [("", ALL), *((c, labels.category(c)) for c in CATEGORIES)]

    def params(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {k: data.get(k) or "" for k in self.fields} | {"month": data.get("month") or last_month()}


class PlanForm(Styled):
    month = forms.RegexField(label=_("月份"), regex=r"^\d{4}-(0[1-9]|1[0-2])$", widget=MONTH_WIDGET)
    sample = forms.IntegerField(
        label=_("每个分公司、每类业务抽取（空：全部回访）"), required=False, min_value=1, max_value=100000
    )


class VisitForm(Styled):
    """The outcome of one visit, laid out for a phone (R11)."""

    channel = forms.ChoiceField(label=_("回访方式"), choices=Channel.choices, initial=Channel.PHONE)
    reached = forms.TypedChoiceField(
        label=_("是否联系上客户"), choices=YES_NO[1:], coerce=lambda v: v == "yes", widget=forms.RadioSelect
    )
    satisfaction = forms.TypedChoiceField(
        label=_("满意度（1 很不满意 – 5 很满意）"),
        required=False,
        choices=[("", "—"), *((str(n), str(n)) for n in range(1, 6))],
        coerce=int,
        empty_value=None,
    )
    time_agrees = forms.TypedChoiceField(
        label=_("客户所述办理时间与系统记录是否一致"),
        required=False,
        choices=YES_NO,
        coerce=lambda v: v == "yes",
        empty_value=None,
    )
    time_node = forms.ChoiceField(label=_("不一致的环节"), required=False)
    time_offset_days = forms.IntegerField(
        label=_("相差天数（客户所述早于系统记录为负数）"), required=False, min_value=-366, max_value=366
    )
    problems = forms.MultipleChoiceField(label=_("发现的问题"), required=False, widget=forms.CheckboxSelectMultiple)
    description = forms.CharField(
        label=_("问题描述"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    note = forms.CharField(
        label=_("回访记录"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, nodes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_node"].choices = [("", "—"), *((code, labels.node(code)) for code in nodes)]
        self.fields["problems"].choices = [
            (c.code, str(c)) for c in ProblemCategory.objects.filter(active=True).order_by("position", "code")
        ]
        self.fields["problems"].widget.attrs["class"] = "form-check-input"


class FollowUpForm(Styled):
    action = forms.CharField(label=_("处理情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    closes = forms.BooleanField(label=_("整改完成，关闭问题"), required=False)


class ImportForm(Styled):
    file = forms.FileField(label=_("呼叫中心回访结果（.xlsx）"))
