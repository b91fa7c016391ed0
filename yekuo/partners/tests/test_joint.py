"""R4 joint utility application: the customer's choice is an order event; if taken, the application goes to
each chosen unit through the outbox (the `utilities` simulator receives it, signed, once), each unit's state
shows on the order, an answer is recorded, and a failed delivery is retried by an administrator."""

import json
import time

import pytest

from yekuo.common.errors import InvalidInput
from yekuo.outbox import services as outbox
from yekuo.outbox.models import Delivery, Destination
from yekuo.outbox.seed import seed_destinations
from yekuo.outbox.transports import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from yekuo.partners import services
from yekuo.partners.tests.conftest import running, url_of
from yekuo.web.tests.helpers import login, make_order


def test_declined_is_recorded_and_sends_nothing(cast, django_capture_on_commit_callbacks):
    order = make_order(cast)
    with django_capture_on_commit_callbacks(execute=True):
        event = services.joint_choice_record(order, actor=cast.clerk, accepted=False)
    assert event.type == "joint.offered" and event.payload == {"accepted": False, "units": []}
    assert not Delivery.objects.exists()


def test_taken_without_units_is_refused(cast):
    with pytest.raises(InvalidInput):
        services.joint_choice_record(make_order(cast), actor=cast.clerk, accepted=True, units=[])


@pytest.mark.slow
def test_taken_goes_to_each_chosen_unit_once_and_shows_on_the_order(client, cast, settings,
                                                                      django_capture_on_commit_callbacks):  # fmt: skip
    with running("utilities", secret=settings.YEKUO_PARTNER_SECRET) as server:
        seed_destinations(url_of(server))
        order = make_order(cast)
        login(client, cast.clerk, cast)
        page = client.get(f"/orders/{order.number}/").content.decode()
        assert "水电气暖讯联合报装" in page  # offered at acceptance
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/orders/{order.number}/actions/joint/",
                                   {"joint-accepted": "yes", "joint-units": ["water", "gas"]}, follow=True)  # fmt: skip
        applied = server.RequestHandlerClass.applied
        assert sorted(unit for unit, _ in applied) == ["gas", "water"]
        payload = next(iter(applied.values()))
        assert payload["order"] == order.number and payload["customer_name"] == order.customer_name
        # Sent again (a worker that died before recording): acknowledged, not applied twice.
        delivery = Delivery.objects.get(destination__code="utility_water")
        Delivery.objects.filter(pk=delivery.pk).update(state="pending", attempts=0)
        outbox.deliver_due()
        assert len(applied) == 2
    assert 'data-unit="water" data-state="sent"' in response.content.decode()  # before the worker ran
    page = client.get(f"/orders/{order.number}/").content.decode()
    assert 'data-unit="water" data-state="received"' in page and 'data-unit="gas" data-state="received"' in page
    assert 'data-unit="heating"' not in page
    assert order.events.filter(type="joint.offered").get().payload == {"accepted": True, "units": ["water", "gas"]}


def _answer(client, body: dict, secret: str, timestamp: str | None = None):
    raw = json.dumps(body).encode()
    timestamp = timestamp or str(int(time.time()))
    headers = {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(secret, timestamp, raw)}
    return client.post("/api/v1/partners/answers", raw, content_type="application/json", headers=headers)


def test_a_units_signed_answer_is_recorded_and_shown(client, cast, settings):
    seed_destinations("http://127.0.0.1:9")
    order = make_order(cast)
    services.joint_choice_record(order, actor=cast.clerk, accepted=True, units=["telecom"])
    message = Delivery.objects.get().message
    body = {"message_id": str(message.id), "destination": "utility_telecom", "result": "accepted", "note": "已受理"}
    assert _answer(client, body, "wrong").json()["code"] == "bad_signature"
    assert _answer(client, body, settings.YEKUO_PARTNER_SECRET, "1000").json()["code"] == "stale_request"
    unknown = {**body, "message_id": "00000000-0000-0000-0000-000000000000"}
    assert _answer(client, unknown, settings.YEKUO_PARTNER_SECRET).status_code == 404
    assert _answer(client, {**body, "message_id": "x"}, settings.YEKUO_PARTNER_SECRET).status_code == 404
    raw = json.dumps(body)[:-1] + ', "result": "refused"}'  # a key given twice: refused before its signature
    twice = client.post("/api/v1/partners/answers", raw, content_type="application/json")
    assert (twice.status_code, twice.json()["code"]) == (400, "malformed_request")
    assert "'result'" in twice.json()["message"]
    assert _answer(client, body, settings.YEKUO_PARTNER_SECRET).json() == {"recorded": True, "state": "answered"}
    login(client, cast.clerk, cast)
    page = client.get(f"/orders/{order.number}/").content.decode()
    assert 'data-unit="telecom" data-state="answered"' in page and "已受理" in page


@pytest.mark.slow
def test_unit_down_fails_then_administrator_retries_from_admin(admin_client, cast, settings,
                                                               django_capture_on_commit_callbacks):  # fmt: skip
    with running("utilities", mode="error") as server:
        seed_destinations(url_of(server))
        Destination.objects.update(max_attempts=1)
        order = make_order(cast)
        with django_capture_on_commit_callbacks(execute=True):
            services.joint_choice_record(order, actor=cast.clerk, accepted=True, units=["heating"])
        delivery = Delivery.objects.get()
        assert delivery.state == "failed"
        listing = admin_client.get("/admin/outbox/faileddelivery/").content.decode()
        assert "utility_heating" in listing or "供热单位" in listing
        server.RequestHandlerClass.options["mode"] = "ok"
        with django_capture_on_commit_callbacks(execute=True):
            admin_client.post("/admin/outbox/faileddelivery/",
                              {"action": "retry_selected", "_selected_action": [delivery.pk]})  # fmt: skip
    delivery.refresh_from_db()
    assert delivery.state == "delivered" and delivery.attempt_rows.count() == 2


def test_other_messages_of_the_order_show_with_their_state(client, cast):
    order = make_order(cast)
    outbox.enqueue("approval_platform", "order.accepted", {"n": 1}, order=order)  # e.g. a platform callback
    login(client, cast.clerk, cast)
    page = client.get(f"/orders/{order.number}/").content.decode()
    assert 'data-kind="order.accepted" data-state="pending"' in page and "外发消息" in page
