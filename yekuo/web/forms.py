"""The list filters and the counter-order form (营业厅受理)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yekuo.accounts.models import Branch, ServiceArea
from yekuo.accounts.scope import restrict
from yekuo.orders.models import CATEGORY_CHOICES, CHANNEL_CHOICES, OrderStatus, Voltage
from yekuo.regulations.codes import NODES
from yekuo.web import labels

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BootstrapMixin:
    """Bootstrap's classes on every widget, so templates render fields without per-field markup."""

    def style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            kind = getattr(widget, "input_type", "")
            css = {
                "select": "form-select form-select-sm",
                "checkbox": "form-check-input",
                "file": "form-control form-control-sm",
            }
            widget.attrs.setdefault("class", css.get(kind, "form-control form-control-sm"))


ALL = _("全部")


def _choices(codes, vocabulary_label):
    return [("", ALL), *((code, vocabulary_label(code)) for code, _name in codes)]


class OrderFilterForm(BootstrapMixin, forms.Form):
    """GET filters of the order list and its export; the names are those of `selectors.filter_orders`."""

    q = forms.CharField(label=_("搜索"), required=False, widget=forms.TextInput(
        attrs={"placeholder": _("工单编号/客户/地址")}))  # fmt: skip
    branch = forms.ChoiceField(label=_("供电分公司"), required=False)
    category = forms.ChoiceField(label=_("业务类别"), required=False)
    channel = forms.ChoiceField(label=_("受理渠道"), required=False)
    node = forms.ChoiceField(label=_("当前节点"), required=False)
    node_state = forms.ChoiceField(label=_("节点时限状态"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False)
    alarm = forms.ChoiceField(label=_("预警/超期"), required=False)
    created_from = forms.DateField(label=_("创建日期从"), required=False, widget=DATE_INPUT)
    created_to = forms.DateField(label=_("至"), required=False, widget=DATE_INPUT)
    sort = forms.ChoiceField(label=_("排序"), required=False, choices=(
        ("", _("创建时间（新→旧）")), ("deadline", _("期限（近→远）")), ("risk", _("超期风险（高→低）"))))  # fmt: skip

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        branches = restrict(Branch.objects.all(), user, "order.view")
        self.fields["branch"].choices = [("", ALL), *((b.code, b.name) for b in branches)]
        self.fields["category"].choices = _choices(CATEGORY_CHOICES, labels.category)
        self.fields["channel"].choices = _choices(CHANNEL_CHOICES, labels.channel)
        self.fields["node"].choices = _choices(NODES.items(), labels.node)
        self.fields["node_state"].choices = [("", ALL), *labels.TIME_STATES.items()]
        self.fields["status"].choices = [("", ALL), ("open", _("在途（含暂停）")), *OrderStatus.choices]
        self.fields["alarm"].choices = [("", ALL), *labels.ALARMS.items()]
        self.style()

    def params(self) -> dict:
        """The valid filters as `filter_orders` takes them (an invalid one is dropped, never a 500)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items() if v}


# R1: the channels a clerk records at the counter: the customer's own visit, or 帮您办 (staff apply on the
# customer's behalf); both start the order at once (D3). Platform channels arrive by push (yekuo/intake).
COUNTER_CHANNELS = ("counter", "assisted")


class CounterOrderForm(BootstrapMixin, forms.Form):
    """营业厅受理: a counter order, received as it is created (D3)."""

    channel = forms.ChoiceField(label=_("受理渠道"), choices=(), initial="counter", required=False)
    category = forms.ChoiceField(label=_("业务类别"), choices=())
    # R2 一证办电 / 刷脸办电: what the services return is filled in by yekuo and shown read-only (partners app).
    credit_code = forms.CharField(
        label=_("统一社会信用代码"), max_length=18, required=False,
        help_text=_("企业一证办电：填写后点“查询电子证照”，名称等由电子证照自动带出"),
    )  # fmt: skip
    identity_ref = forms.CharField(
        label=_("刷脸核验编号"), max_length=64, required=False, help_text=_("居民刷脸办电：平台核验记录的编号")
    )
    customer_name = forms.CharField(label=_("客户名称"), max_length=100, required=False)
    customer_id_number = forms.CharField(label=_("证件号码"), max_length=40, required=False)
    customer_phone = forms.CharField(
        label=_("联系电话"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        help_text=_("手机号码或带区号的固定电话；客户凭此查询办电进度"),
    )
    customer_notice = forms.CharField(
        label=_("告知方式"), max_length=200, required=False, help_text=_("客户没有电话时必填：如何告知客户办理进度")
    )
    site_address = forms.CharField(label=_("用电地址"), max_length=200)
    service_area = forms.ModelChoiceField(
        label=_("营业区"),
        queryset=ServiceArea.objects.none(),
        required=False,
        empty_label=_("按用电地址自动匹配"),
        help_text=_("地址中没有区、旗、镇等地名时，请选择营业区"),
    )
    capacity_kva = forms.DecimalField(label=_("申请容量(kVA)"), max_digits=10, decimal_places=1, min_value=0.1)
    voltage = forms.ChoiceField(label=_("供电电压"), choices=Voltage.choices)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [(code, labels.channel(code)) for code in COUNTER_CHANNELS]
        self.fields["category"].choices = [(code, labels.category(code)) for code, _name in CATEGORY_CHOICES]
        areas = restrict(ServiceArea.objects.select_related("branch"), user, "order.create")
        self.fields["service_area"].queryset = areas
        self.fields["service_area"].label_from_instance = lambda a: f"{a.branch.name} · {a.name}"
        self.licence = None
        self.style()

    def lock_licence(self, licence: dict) -> None:
        """R2: the company name comes from the e-licence service; staff cannot retype it (a disabled field
        keeps its initial value whatever is posted)."""
        self.licence = licence
        field = self.fields["customer_name"]
        field.disabled, field.initial = True, licence["company_name"]
        self.initial["customer_name"] = licence["company_name"]  # over whatever the form was given
        field.help_text = _("来自电子证照，不可修改")
        field.widget.attrs["readonly"] = True

    def clean(self):
        data = super().clean()
        for name, message in getattr(self, "partner_errors", {}).items():
            self.add_error(name, message)
        if not data.get("customer_name") and not data.get("credit_code"):
            self.add_error("customer_name", _("请填写客户名称，或填写统一社会信用代码由电子证照带出"))
        return data

    def order_data(self) -> dict:
        """The cleaned data the order service takes (without the partner services' fields)."""
        return {k: v for k, v in self.cleaned_data.items() if k not in ("credit_code", "identity_ref")}
