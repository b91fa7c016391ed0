"""Signed platform pushes (R3; docs/platforms.md): signatures, nonces, keys, payloads, idempotency, routes."""

import json
import time

import pytest

from yekuo.intake import credentials
from yekuo.intake.models import Application, PlatformNonce
from yekuo.intake.platforms import platform_ensure
from yekuo.intake.testing import application
from yekuo.intake.tests.conftest import pusher
from yekuo.orders.models import Clock, OrderEvent, WorkOrder


def test_a_signed_push_makes_one_order_in_the_queue(push, cast):
    response = push(application("GC-1"))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "queued" and body["route"] == "queue" and body["branch"] is None
    order = WorkOrder.objects.get(number=body["order"])
    assert order.channel == "approval_platform" and order.status == "created" and order.branch == cast.east
    assert order.received_at is None  # received at dispatch (Attachment 1: 收到业扩派单)
    assert not Clock.objects.filter(order=order, state="running").exists()
    app = Application.objects.get(external_id="GC-1")
    assert app.proposed_branch == cast.east and len(app.documents) >= 1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"secret": "sk_wrong"}, "signature_invalid"),
        ({"timestamp": int(time.time()) - 3600}, "timestamp_out_of_window"),
        ({"timestamp": int(time.time()) + 3600}, "timestamp_out_of_window"),
        ({"key_id": "pk_nobody_000000"}, "key_invalid"),
        ({"nonce": "short"}, "nonce_invalid"),
    ],
)
def test_a_bad_signature_is_refused_and_nothing_is_made(push, change, code):
    response = push(application("GC-2"), **change)
    assert response.status_code == 401
    assert response.json()["code"] == code
    assert not WorkOrder.objects.exists() and not Application.objects.exists()


def test_a_replayed_nonce_is_refused(push, settings):
    nonce = "replayed-nonce-0001"
    assert push(application("GC-3"), nonce=nonce).status_code == 201
    again = push(application("GC-4"), nonce=nonce)
    assert again.status_code == 401 and again.json()["code"] == "nonce_replayed"
    assert not Application.objects.filter(external_id="GC-4").exists()
    assert PlatformNonce.objects.filter(nonce=nonce).count() == (0 if settings.REDIS_URL else 1)  # else in Redis


def test_a_tampered_body_is_refused(push, client):
    from yekuo.intake.testing import signed

    path, raw, headers = signed(push.key_id, push.secret, "approval_platform", application("GC-5"))
    tampered = raw.replace(b"GC-5", b"GC-6")
    response = client.post(path, data=tampered, content_type="application/json", headers=headers)
    assert response.status_code == 401 and response.json()["code"] == "signature_invalid"


def test_missing_headers_and_another_platforms_key(push, client, platforms):
    response = client.post(
        "/api/v1/platforms/approval_platform/applications", data=b"{}", content_type="application/json"
    )
    assert response.status_code == 401 and response.json()["code"] == "signature_missing"
    mengsuban = pusher(client, platforms["mengsuban"])
    # mengsuban's key signing for the approval platform's path
    response = push(application("GC-7"), key_id=mengsuban.key_id, secret=mengsuban.secret)
    assert response.status_code == 401 and response.json()["code"] == "key_invalid"


def test_rotation_keeps_both_keys_live_until_the_overlap_ends_and_revoke_is_at_once(push, client, platforms):
    old_key, old_secret = push.key_id, push.secret
    new = credentials.key_rotate(platforms["approval_platform"], overlap_hours=1)
    assert push(application("R-1")).status_code == 201  # the old key, still in its overlap
    assert push(application("R-2"), key_id=new.key.key_id, secret=new.secret).status_code == 201
    credentials.key_revoke(old_key)
    response = push(application("R-3"), key_id=old_key, secret=old_secret)
    assert response.status_code == 401 and response.json()["code"] == "key_invalid"
    expired = credentials.key_rotate(platforms["approval_platform"], overlap_hours=0)
    response = push(application("R-4"), key_id=new.key.key_id, secret=new.secret)
    assert response.status_code == 401  # overlap 0: the previous key ended with the rotation
    assert push(application("R-5"), key_id=expired.key.key_id, secret=expired.secret).status_code == 201


def test_the_database_keeps_no_secret(push):
    from yekuo.intake.models import PlatformKey

    key = PlatformKey.objects.get(key_id=push.key_id)
    assert push.secret not in json.dumps([key.key_id, key.secret_sha256])


def test_malformed_and_invalid_bodies_get_json_errors(push):
    response = push(b"{not json")
    assert response.status_code == 400 and response.json()["code"] == "malformed_request"
    response = push(b"[1, 2]")
    assert response.status_code == 400 and response.json()["code"] == "malformed_request"
    response = push(b'{"application_id": "R-1", "application_id": "R-2"}')  # which one was signed for?
    assert response.status_code == 400 and response.json()["code"] == "malformed_request"
    assert "'application_id' is given twice" in response.json()["message"]
    bad = application("GC-8", capacity_kva="lots", submitted_at="2026-11-02T09:00:00")
    del bad["customer"]["name"]
    response = push(bad)
    body = response.json()
    assert response.status_code == 400 and body["code"] == "invalid_input"
    assert {"capacity_kva", "submitted_at", "customer.name"} <= set(body["errors"])
    # The order's data rules (O8), under the push's field names.
    wrong = application("GC-9", customer={"name": "王", "id_number": "150602199001011234", "phone": "12345"})
    response = push(wrong)
    assert response.status_code == 400 and {"customer.id_number", "customer.phone"} <= set(response.json()["errors"])
    assert not WorkOrder.objects.exists() and not Application.objects.exists()


def test_a_repeated_push_gets_the_first_answer_and_no_second_order(push):
    body = application("GC-11")
    first = push(body)
    again = push(body)  # a retry: new nonce, same body
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert WorkOrder.objects.count() == 1 and Application.objects.count() == 1
    reordered = json.loads(json.dumps(body))
    reordered = {key: reordered[key] for key in reversed(list(reordered))}
    assert push(reordered).json() == first.json()  # the same content, another field order
    changed = push({**body, "capacity_kva": 12})
    assert changed.status_code == 422 and changed.json()["code"] == "idempotency_mismatch"
    assert OrderEvent.objects.filter(type="order.created").count() == 1


def test_a_changed_body_under_a_known_id_is_checked_before_it_is_refused(push):
    """A repeat is answered from the stored row only when its body is the first one's; any other body goes
    through the checks as a new one would (its field errors first), then is refused as a mismatch."""
    body = application("GC-13")
    first = push(body)
    invalid = push({**body, "capacity_kva": "lots"})
    assert invalid.status_code == 400 and invalid.json()["code"] == "invalid_input"
    assert "capacity_kva" in invalid.json()["errors"]
    assert push({**body, "voltage": "380V"}).json()["code"] == "idempotency_mismatch"
    assert push(body).json() == first.json()


def test_a_disabled_platforms_keys_are_refused(push, platforms):
    platforms["approval_platform"].enabled = False
    platforms["approval_platform"].save(update_fields=["enabled"])
    response = push(application("GC-14"))
    assert response.status_code == 401 and response.json()["code"] == "key_invalid"
    assert not Application.objects.exists()


def test_area_code_proposes_the_branch(push, cast):
    response = push(application("GC-12", address="某路1号", site={"address": "某路1号", "area_code": "west"}))
    assert response.status_code == 201
    assert Application.objects.get(external_id="GC-12").proposed_branch == cast.west


def test_a_platform_routed_to_the_branch_is_received_at_once(client, platforms, cast, callbacks_sent):
    """R3: other online channels follow their configured route; `branch` dispatches on arrival."""
    platform_ensure("gov_portal", cast.company, route="branch")
    gov = pusher(client, platforms["gov_portal"])
    response = gov(application("ZW-1", address="西区长安街2号"))
    assert response.status_code == 201
    body = response.json()
    assert body["state"] == "dispatched" and body["branch"] == "west"
    order = WorkOrder.objects.get(number=body["order"])
    assert order.channel == "gov_portal" and order.received_at is not None
    assert Clock.objects.get(order=order, code="acceptance").state == "running"
    assert [kind for _, kind, _, _ in callbacks_sent] == ["application.accepted"]


def test_the_approval_platform_always_routes_through_the_queue(cast, platforms):
    from yekuo.common.errors import InvalidInput

    with pytest.raises(InvalidInput):
        platform_ensure("approval_platform", cast.company, route="branch")


def test_a_reserve_project_is_kept_without_an_order(client, platforms):
    investment = pusher(client, platforms["investment_platform"])
    body = {"application_id": "TZ-1", "submitted_at": "2026-11-02T09:00:00+08:00", "project_name": "东区物流园",
            "customer": {"name": "某物流公司"}, "site": {"address": "东区物流园"}, "capacity_kva": 2000}  # fmt: skip
    response = investment(body)
    assert response.status_code == 201 and response.json()["state"] == "reserve"
    assert not WorkOrder.objects.exists()


def test_old_nonces_are_forgotten(push, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.REDIS_URL = None  # the table (Redis forgets by itself: SET NX with an expiry)
    push(application("GC-13"), nonce="nonce-to-forget-0001")
    PlatformNonce.objects.update(seen_at=timezone.now() - timedelta(hours=1))
    assert credentials.nonces_forget() == 1


def test_an_order_left_without_its_application_row_is_completed_by_the_retry(push, monkeypatch):
    """A worker that died between the order's transaction and the application's: the platform's retry gets
    that order back (by its key) and writes the missing row; no second order."""
    from django.db import transaction

    from yekuo.intake import services

    body = application("CRASH-1")
    real = transaction.atomic

    def dies(*args, **kwargs):
        if kwargs.get("durable"):
            raise ConnectionError("the worker died here")
        return real(*args, **kwargs)

    monkeypatch.setattr(services.transaction, "atomic", dies)
    assert push(body).status_code == 500  # the exception handler's answer; the platform will retry
    monkeypatch.setattr(services.transaction, "atomic", real)
    assert WorkOrder.objects.count() == 1 and not Application.objects.exists()
    retry = push(body)
    assert retry.status_code == 201
    assert WorkOrder.objects.count() == 1 and Application.objects.get().order == WorkOrder.objects.get()
    assert push({**body, "capacity_kva": 9}).json()["code"] == "idempotency_mismatch"
