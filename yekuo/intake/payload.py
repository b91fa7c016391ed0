"""The body of a platform push, checked (R3; docs/platforms.md lists every field).

The structure (types, required fields, lengths) is a DRF serializer, so its errors are the API's JSON
errors (`invalid_input` with `errors` per field); the order's data rules are those of every way in
(`orders.validation.validate_order`, O8), run by `order_create` and reported under the payload's names.
"""

from __future__ import annotations

from rest_framework import serializers

from yekuo.common.api import AwareDateTimeField
from yekuo.orders.models import CATEGORY_CHOICES, Voltage
from yekuo.orders.validation import FieldErrors, uscc_ok

EXTERNAL_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"


class CustomerSerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="",
        help_text="required, except for an enterprise applying with its unified social credit code (R2 一证办电)",
    )  # fmt: skip
    id_number = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    notice = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    identity_ref = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default="",
        help_text="the platform's identity-verification reference (R2 刷脸办电); yekuo fetches its result",
    )  # fmt: skip

    def validate(self, data):
        # R2 一证办电: with a unified social credit code the name comes from the e-licence service.
        if not data.get("name", "").strip() and not uscc_ok(data.get("id_number", "").strip().upper()):
            raise serializers.ValidationError({"name": ["required unless id_number is a unified social credit code"]})
        return data


class SiteSerializer(serializers.Serializer):
    address = serializers.CharField(max_length=200)
    area_code = serializers.CharField(
        max_length=32, required=False, allow_blank=True, default="",
        help_text="the utility's service area code (营业区编码), when the platform knows it",
    )  # fmt: skip


class DocumentSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=40, help_text="e.g. licence, id_card, property, site_plan")
    name = serializers.CharField(max_length=200)
    url = serializers.URLField(max_length=500, help_text="where yekuo's staff fetch it from the platform")
    sha256 = serializers.RegexField(r"^[0-9a-f]{64}$", required=False, allow_blank=True, default="")


class ApplicationPushSerializer(serializers.Serializer):
    """One application as a platform pushes it."""

    application_id = serializers.RegexField(EXTERNAL_ID, help_text="the platform's own id (idempotency key)")
    submitted_at = AwareDateTimeField(help_text="when the customer submitted it on the platform")
    category = serializers.ChoiceField(choices=[code for code, _ in CATEGORY_CHOICES])
    customer = CustomerSerializer()
    site = SiteSerializer()
    capacity_kva = serializers.DecimalField(max_digits=10, decimal_places=1, min_value=0)
    voltage = serializers.ChoiceField(choices=Voltage.values)
    project_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    documents = DocumentSerializer(many=True, required=False, default=list, max_length=50)


class ReservePushSerializer(serializers.Serializer):
    """A prospective project from the investment supervision platform (R5's reserve library)."""

    application_id = serializers.RegexField(EXTERNAL_ID)
    submitted_at = AwareDateTimeField()
    project_name = serializers.CharField(max_length=200)
    customer = CustomerSerializer()
    site = SiteSerializer()
    capacity_kva = serializers.DecimalField(max_digits=10, decimal_places=1, min_value=0, required=False)
    documents = DocumentSerializer(many=True, required=False, default=list, max_length=50)
    # R5: the platform's project code (投资项目代码); a later push with the same code updates the project.
    project_code = serializers.RegexField(EXTERNAL_ID, required=False, allow_blank=True, default="")
    voltage = serializers.ChoiceField(choices=["220V", "380V", "10kV", "35kV", "110kV"], required=False,
                                      allow_blank=True, default="")  # fmt: skip
    expected_date = serializers.DateField(required=False, allow_null=True, default=None,
                                          help_text="when the investor expects to need power")  # fmt: skip


# validate_order's field names → the payload's.
FIELD_NAMES = {
    "customer_name": "customer.name",
    "customer_id_number": "customer.id_number",
    "customer_phone": "customer.phone",
    "customer_notice": "customer.notice",
    "site_address": "site.address",
    "service_area": "site.area_code",
    "capacity_kva": "capacity_kva",
    "voltage": "voltage",
}


def renamed(error: FieldErrors) -> FieldErrors:
    """The order's data errors under the names of the push's fields."""
    return FieldErrors({FIELD_NAMES.get(field, field): messages for field, messages in error.errors.items()})
