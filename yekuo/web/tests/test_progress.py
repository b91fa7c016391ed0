"""办电进度查询 (R15): a customer sees their own application, only theirs, and none of the staff's data."""

import ipaddress

import pytest
from django.core.cache import cache

from yekuo.orders import services
from yekuo.orders.models import Clock
from yekuo.web.tests.helpers import IMPORT, complete, make_order
from yekuo.workcal.tests.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counts():
    cache.clear()  # the failure counts live in the cache
    yield
    cache.clear()


def look(client, number, phone, address="10.0.0.1"):
    return client.post("/progress/", {"number": number, "phone": phone}, REMOTE_ADDR=address)


def test_the_number_and_the_phone_on_file_show_the_application(client, cast):
    order = make_order(cast, when="2026-11-02 09:00")
    complete(order, cast.clerk, "acceptance", "2026-11-02 10:00")
    services.order_suspend(order, actor=cast.customer_manager, reason_code="customer_request", evidence_note="内部备注",
                           occurred_at=at("2026-11-02 11:00"), source=IMPORT)  # fmt: skip
    response = look(client, order.number.lower(), "139-1234-5678")  # as people type them
    text = response.content.decode()
    assert response.status_code == 200 and 'id="progress"' in text and order.number in text
    assert "张*" in text and "暂停（客户原因）" in text and "客户要求" in text
    assert 'data-node="acceptance" data-state="done"' in text and 'data-node="survey_plan" data-state="active"' in text
    for clock in Clock.objects.filter(order=order, deadline_at__isnull=False):
        assert f'data-clock="{clock.code}"' in text
    # None of the staff's data: ID number, phone, staff names, the evidence note, the history.
    for secret in ("152701199001011239", "13912345678", "内部备注", cast.clerk.username, 'id="events"'):
        assert secret not in text
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("phone", ["13912345670", "1391234", "", "13912345678 ext 9"])
def test_anything_else_shows_nothing(client, cast, phone):
    order = make_order(cast)
    text = look(client, order.number, phone).content.decode()
    assert 'id="progress"' not in text and order.number not in text.split('id="progress-form"')[0]


def test_another_order_with_my_phone_or_an_order_without_a_phone_is_not_shown(client, cast):
    mine = make_order(cast)
    other = make_order(cast, customer_phone="13800000000")
    no_phone = make_order(cast, customer_phone="", customer_notice="客户到营业厅查询")
    assert 'id="progress"' not in look(client, other.number, "13912345678").content.decode()
    assert 'id="progress"' not in look(client, no_phone.number, "").content.decode()
    assert 'id="progress"' in look(client, mine.number, "13912345678").content.decode()


def test_guessing_is_stopped_after_ten_failures_per_client(client, cast):
    order = make_order(cast)
    for i in range(10):
        assert look(client, f"YK20261100{i:02d}", "13800000000").status_code == 200
    blocked = look(client, order.number, "13912345678")
    assert blocked.status_code == 429 and 'id="progress"' not in blocked.content.decode()
    assert "查询失败次数过多" in blocked.content.decode()
    assert 'id="progress"' in look(client, order.number, "13912345678", address="10.0.0.2").content.decode()


def test_behind_a_trusted_proxy_each_customer_is_counted_apart(client, cast, settings):
    # Every request comes from the proxy (10.9.0.1), which names its client in X-Forwarded-For.
    settings.YEKUO_TRUSTED_PROXIES = (ipaddress.ip_network("10.9.0.0/16"),)
    order = make_order(cast)

    def behind_proxy(customer, number, phone):
        return client.post("/progress/", {"number": number, "phone": phone}, REMOTE_ADDR="10.9.0.1",
                           HTTP_X_FORWARDED_FOR=f"1.2.3.4, {customer}")  # fmt: skip

    for i in range(10):
        assert behind_proxy("198.51.100.66", f"YK20261100{i:02d}", "13800000000").status_code == 200
    assert behind_proxy("198.51.100.66", order.number, "13912345678").status_code == 429
    # Another customer behind the same proxy is not locked out by the guesser.
    assert 'id="progress"' in behind_proxy("198.51.100.7", order.number, "13912345678").content.decode()


def test_the_form_is_offered_to_everyone_and_in_english(client, cast):
    text = client.get("/").content.decode()
    assert 'href="/progress/"' in text and "办电进度查询" in text
    assert 'id="customer-entry"' in text and "员工登录" in text  # customers first on the public home page
    form = client.get("/progress/").content.decode()
    assert 'id="progress-form"' in form and 'inputmode="tel"' in form
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/progress/").content.decode()
    assert "Application progress" in english and "Phone number given when applying" in english
