"""The order data rules (O8) and the control-character rule (O8), through the service."""

from decimal import Decimal

import pytest
from django.utils import translation

from yekuo.common.errors import InvalidInput
from yekuo.orders import services
from yekuo.orders.models import EventSource, WorkOrder
from yekuo.orders.tests.api_helpers import assert_error, client_for
from yekuo.orders.validation import (
    FieldErrors,
    clean_text,
    normalize_phone,
    phone_ok,
    resident_id_ok,
    supply_errors,
    uscc_ok,
)
from yekuo.workcal.tests.conftest import at

GOOD = {
    "category": "lv_resident",
    "channel": "counter",
    "customer_name": "张三",
    "customer_id_number": "152701199001011239",
    "customer_phone": "13912345678",
    "site_address": "东区康和路1号",
    "capacity_kva": 8,
    "voltage": "220V",
    "source": EventSource.IMPORT,
}


def create(cast, **changes):
    return services.order_create(actor=cast.clerk, occurred_at=at("2026-09-29 09:00"), **{**GOOD, **changes})


def refusal(cast, language="zh-hans", **changes) -> dict[str, list[str]]:
    """The fields refused, with their messages in `language` (set here: a request through the API leaves
    English active in the test's thread)."""
    before = WorkOrder.objects.count()
    with pytest.raises(FieldErrors) as caught, translation.override(language):
        create(cast, **changes)
    assert WorkOrder.objects.count() == before
    return caught.value.errors


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("11010519491231002X", True),  # GB 11643-1999's own example
        ("152701199001011239", True),
        ("152701199001011234", False),  # check digit wrong
        ("152701199002301236", False),  # 30 February
        ("152701209901011233", False),  # born in 2099
        ("123", False),
        ("15270119900101123x", False),  # normalised to upper case by the service, not here
    ],
)
def test_resident_id_numbers(value, ok):
    assert resident_id_ok(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("91350100M000100Y43", True),
        ("91110000600037341L", True),
        ("91110000600037341K", False),  # check character wrong
        ("9111000060003734IL", False),  # I is not in the alphabet
        ("123", False),
    ],
)
def test_unified_social_credit_codes(value, ok):
    assert uscc_ok(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("13912345678", True),
        ("19912345678", True),
        ("12912345678", False),
        ("1391234567", False),
        ("abc", False),
        ("0477-8123456", True),
        ("04778123456", True),
        ("010-12345678", True),
        ("0477-8123456-801", True),
        ("0477-8123456转801", True),
        ("8123456", False),  # no area code
    ],
)
def test_phone_numbers(value, ok):
    assert phone_ok(normalize_phone(value)) is ok


def test_phone_is_stored_without_separators():
    assert normalize_phone("+86 139-1234-5678") == "13912345678"
    assert normalize_phone("(0477) 8123456") == "04778123456"


def test_supply_ranges_per_category():
    assert supply_errors("lv_resident", "220V", 8) == {}
    assert set(supply_errors("lv_resident", "10kV", 8)) == {"voltage"}
    assert set(supply_errors("lv_resident", "380V", 5000)) == {"capacity_kva"}
    assert set(supply_errors("hv10_single", "10kV", 20)) == {"capacity_kva"}
    assert supply_errors("hv10_dual", "10kV", Decimal("10000")) == {}


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f", "\t", "\n"])
def test_control_characters_are_refused_in_one_line_text(char):
    with pytest.raises(InvalidInput) as caught:
        clean_text(f"张{char}三", field="customer_name")
    assert caught.value.field == "customer_name"


def test_multiline_text_keeps_tabs_and_line_ends_but_not_nul():
    assert clean_text("第一行\r\n\t第二行", field="note", multiline=True) == "第一行\n\t第二行"
    with pytest.raises(InvalidInput):
        clean_text("a\x00b", field="note", multiline=True)


def test_the_counter_fault_is_refused_field_by_field(cast):
    """O8: 低压居民 at 10 kV and 5,000 kVA, phone "abc", ID "123", an address in Beijing."""
    errors = refusal(
        cast,
        voltage="10kV",
        capacity_kva=5000,
        customer_phone="abc",
        customer_id_number="123",
        site_address="北京市朝阳区建国路1号",
    )
    assert set(errors) == {"voltage", "customer_phone", "customer_id_number", "service_area"}
    assert "低压居民" in errors["voltage"][0]
    errors = refusal(cast, voltage="380V", capacity_kva=5000)
    assert errors["capacity_kva"] == ["低压居民 380V 的申请容量应在 0.1–160 kVA 之间"]


def test_errors_are_in_english_with_the_switch(cast):
    errors = refusal(cast, "en", customer_phone="abc")
    assert errors["customer_phone"][0].startswith("Enter an 11-digit mobile number")


def test_the_phone_or_how_the_customer_is_told(cast):
    assert "customer_phone" in refusal(cast, customer_phone="")
    order = create(cast, customer_phone="", customer_notice="客户每周到营业厅查询进度")
    assert order.customer_notice == "客户每周到营业厅查询进度"


def test_an_organisation_gives_its_credit_code_a_resident_does_not(cast):
    assert "customer_id_number" in refusal(cast, customer_id_number="91350100M000100Y43")
    order = create(
        cast, category="lv_business", voltage="380V", capacity_kva=80, customer_id_number="91350100m000100y43"
    )
    assert order.customer_id_number == "91350100M000100Y43"


def test_the_service_area_is_stored_from_the_address_or_the_choice(cast):
    assert create(cast).service_area == cast.east_area
    assert create(cast, customer_name="李四", branch=cast.east).service_area == cast.east_area
    # An address with no area keyword: the clerk picks the area, which also gives the branch.
    assert "service_area" in refusal(cast, site_address="幸福路8号")
    chosen = create(cast, site_address="幸福路8号", service_area=cast.east_area)
    assert (chosen.service_area, chosen.branch) == (cast.east_area, cast.east)
    # An area of another branch than the one given is refused.
    assert "service_area" in refusal(cast, site_address="幸福路8号", service_area=cast.west_area, branch=cast.east)


def test_control_characters_in_an_order_or_event_are_refused(cast):
    assert "customer_name" in refusal(cast, customer_name="张\x00三")
    assert "site_address" in refusal(cast, site_address="东区\x1b[31m1号")
    order = create(cast)
    with pytest.raises(InvalidInput) as caught:
        services.node_complete(order, actor=cast.clerk, node="acceptance", note="好\x07")
    assert caught.value.field == "note"
    with pytest.raises(InvalidInput):
        services.order_cancel(order, actor=cast.branch_manager, cancel_reason="撤\x00销")
    assert order.events.count() == 2


def test_the_api_returns_every_field_error_in_its_json_format_in_english(cast):
    body = {"category": "lv_resident", "channel": "counter", "customer_name": "张三", "customer_phone": "abc",
            "customer_id_number": "123", "site_address": "东区1号", "capacity_kva": 5000,
            "voltage": "380V"}  # fmt: skip
    response = client_for(cast.clerk).post("/api/v1/orders/", body, format="json")
    error = assert_error(response, 400, "invalid_input")
    assert set(error["errors"]) == {"customer_phone", "customer_id_number", "capacity_kva"}
    assert error["field"] == "customer_phone" and error["message"].startswith("Enter an 11-digit mobile number")
    control = client_for(cast.clerk).post("/api/v1/orders/", {**body, "customer_name": "张\x01三"}, format="json")
    assert "customer_name" in assert_error(control, 400, "invalid_input")["errors"]
    assert WorkOrder.objects.count() == 0
