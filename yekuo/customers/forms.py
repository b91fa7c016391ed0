"""The customer's forms (R1): the online application with the fewest fields, the progress lookup, the rating."""

import re
import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from yekuo.common.uploads import refusal
from yekuo.orders.events import JOINT_UNITS
from yekuo.web.forms import BootstrapMixin

JOINT_LABELS = {"water": _("供水"), "gas": _("供气"), "heating": _("供热"), "telecom": _("通信")}
MOBILE = re.compile(r"1\d{10}")


class CustomerForm(BootstrapMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()
        for field in self.fields.values():  # big targets on a phone
            field.widget.attrs["class"] = field.widget.attrs["class"].replace("-sm", "-lg")


def _phone(value: str) -> str:
    digits = re.sub(r"\D", "", value or "")
    if not MOBILE.fullmatch(digits):
        raise forms.ValidationError(_("请填写11位手机号码，用于接收验证码和办理通知"))
    return digits


class ApplyForm(CustomerForm):
    """/c/apply: an enterprise gives its credit code (the licence gives the rest, R2), a resident the reference of
    the platform's face verification; both give a phone, the site and the load, the property document, and accept
    the supply terms."""

    application_id = forms.CharField(widget=forms.HiddenInput, max_length=64)
    credit_code = forms.CharField(
        label=_("统一社会信用代码"), max_length=18, required=False,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off",
                                      "placeholder": "91150602MA0N1234XU"}),
    )  # fmt: skip
    identity_ref = forms.CharField(label=_("刷脸核验编号"), max_length=64, required=False,
                                   widget=forms.TextInput(attrs={"autocomplete": "off"}))  # fmt: skip
    name = forms.CharField(label=_("姓名"), max_length=100, required=False)
    phone = forms.CharField(label=_("手机号码"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))  # fmt: skip
    site_address = forms.CharField(label=_("用电地址"), max_length=200, widget=forms.TextInput(
        attrs={"placeholder": _("如：东胜区天骄街道××小区3号楼2单元501")}))  # fmt: skip
    capacity_kva = forms.DecimalField(
        label=_("用电容量（千伏安）"), min_value=1, max_value=200, decimal_places=1, initial=8,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.5"}),
    )  # fmt: skip
    voltage = forms.ChoiceField(
        label=_("供电电压"), choices=[("220V", _("220伏（单相）")), ("380V", _("380伏（三相）"))], initial="220V"
    )
    property_doc = forms.FileField(label=_("用电地址产权证明（照片或PDF）"), required=False)
    other_doc = forms.FileField(label=_("其他资料（选填）"), required=False)
    joint_units = forms.MultipleChoiceField(
        label=_("同时申请水、气、暖、通信报装（联合报装，选填）"), required=False,
        choices=[(u, JOINT_LABELS[u]) for u in JOINT_UNITS], widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    terms = forms.BooleanField(label=_("我已阅读并同意《供用电须知》"), required=False)

    def __init__(self, kind: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["application_id"].initial = uuid.uuid4().hex
        if kind == "business":
            del self.fields["identity_ref"], self.fields["name"]
            self.fields["voltage"].initial = "380V"
            self.fields["capacity_kva"].initial = 30
        else:
            del self.fields["credit_code"]

    def clean_phone(self):
        return _phone(self.cleaned_data.get("phone"))

    def clean_credit_code(self):
        return (self.cleaned_data.get("credit_code") or "").strip().upper()

    def _clean_file(self, name: str):
        upload = self.cleaned_data.get(name)
        if upload:
            problem = refusal(upload)
            if problem:
                raise forms.ValidationError(problem)
        return upload

    def clean_property_doc(self):
        upload = self._clean_file("property_doc")
        if not upload:
            raise forms.ValidationError(_("请上传用电地址产权证明（房产证、购房合同或土地证明等）"))
        return upload

    def clean_other_doc(self):
        return self._clean_file("other_doc")

    def clean_terms(self):
        if not self.cleaned_data.get("terms"):
            raise forms.ValidationError(_("请阅读并同意供用电须知"))
        return True


class NumberForm(CustomerForm):
    number = forms.CharField(label=_("工单编号"), max_length=20, widget=forms.TextInput(
        attrs={"placeholder": "YK2026110001", "autocomplete": "off", "autocapitalize": "characters"}))  # fmt: skip

    def clean_number(self):
        return self.cleaned_data["number"].strip().upper()


class CodeForm(NumberForm):
    code = forms.CharField(label=_("短信验证码"), max_length=6, min_length=6, widget=forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}))  # fmt: skip


class RatingForm(CustomerForm):
    score = forms.TypedChoiceField(label=_("服务评价"), coerce=int, widget=forms.RadioSelect,
                                   choices=[(i, "★" * i) for i in range(5, 0, -1)])  # fmt: skip
    comment = forms.CharField(label=_("意见和建议（选填）"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip


class ContractForm(CustomerForm):
    """R1: signing the supply contract online: the signer's name, typed, and the agreement ticked."""

    signer = forms.CharField(label=_("签署人姓名"), max_length=50,
                             help_text=_("个人客户填写本人姓名；企业客户填写法定代表人或经办人姓名。"))  # fmt: skip
    agree = forms.BooleanField(label=_("我已阅读并同意上述《供用电合同》，确认在线签署。"))
