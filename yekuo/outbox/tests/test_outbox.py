"""The transactional outbox (R4; DESIGN: payload → delivery → attempt, side effects on commit), against real
local HTTP receivers: delivered, retried with backoff then failed, never sent on rollback, nothing lost when
the worker dies between commit and delivery, and received exactly once by an idempotent receiver."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from yekuo.outbox import selectors, services, transports
from yekuo.outbox.models import Attempt, Delivery, Destination, Message
from yekuo.outbox.testing import Receiver

SECRET = "test-secret"


def destination(url, code="partner", **kwargs):
    return Destination.objects.create(code=code, name="合作方", url=url, secret=SECRET, **kwargs)


def later(delivery, seconds=1):
    """A moment just after the delivery's next try is due (tests never wait for the clock)."""
    delivery.refresh_from_db()
    return delivery.next_attempt_at + timedelta(seconds=seconds)


@pytest.mark.slow
def test_delivered_on_commit_signed_with_headers(db, django_capture_on_commit_callbacks):
    with Receiver(secret=SECRET) as receiver:
        destination(receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                message = services.enqueue("partner", "order.accepted", {"a": "受理"}, key="k1")
        assert receiver.effects == 1 and receiver.bad_signatures == 0
        hit = receiver.hits[0]
        assert hit["headers"]["X-Yekuo-Message-Id"] == str(message.id)
        assert hit["headers"]["X-Yekuo-Kind"] == "order.accepted"
        assert hit["headers"]["X-Yekuo-Signature"].startswith("sha256=")
        body = json.loads(hit["body"])
        assert body["id"] == str(message.id) and body["payload"] == {"a": "受理"}
    delivery = Delivery.objects.get(message=message)
    assert delivery.state == "delivered" and delivery.attempts == 1 and delivery.delivered_at
    attempt = Attempt.objects.get(delivery=delivery)
    assert attempt.ok and attempt.status == 200 and '"received": true' in attempt.response_excerpt
    assert attempt.duration_ms >= 0


def test_same_key_returns_the_same_message(db):
    Destination.objects.create(code="partner", url="http://127.0.0.1:9/")
    first = services.enqueue("partner", "k", {"n": 1}, key="same")
    second = services.enqueue("partner", "k", {"n": 2}, key="same")
    assert first.pk == second.pk and Message.objects.count() == 1 and Delivery.objects.count() == 1


def test_one_delivery_per_destination_and_unknown_destination_waits_disabled(db):
    Destination.objects.create(code="a", url="http://127.0.0.1:9/")
    message = services.enqueue(["a", "b", "a"], "k", {})
    assert sorted(message.deliveries.values_list("destination__code", flat=True)) == ["a", "b"]
    created = Destination.objects.get(code="b")
    assert not created.enabled
    # A disabled destination's delivery is not tried: it waits until an administrator enables it.
    assert services.deliver_due(now=timezone.now() + timedelta(hours=1)) == {"pending": 1}  # a: refused, retried
    assert message.deliveries.get(destination=created).state == "pending"
    assert not Attempt.objects.filter(delivery__destination=created).exists()


@pytest.mark.slow
def test_rolled_back_transaction_sends_nothing(db, django_capture_on_commit_callbacks):
    with Receiver() as receiver:
        destination(receiver.url)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            with pytest.raises(RuntimeError), transaction.atomic():
                services.enqueue("partner", "order.accepted", {}, key="rolled-back")
                raise RuntimeError("the order change failed")
        services.deliver_due(now=timezone.now() + timedelta(days=1))
        assert receiver.hits == [] and callbacks == []
    assert not Message.objects.exists() and not Delivery.objects.exists()


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["error", "slow", "garbage", "notjson"])
def test_failing_receiver_is_retried_with_backoff_then_failed(db, django_capture_on_commit_callbacks, mode, settings):
    settings.YEKUO_OUTBOX_BACKOFF_SECONDS = 10
    settings.YEKUO_OUTBOX_BACKOFF_MAX_SECONDS = 10_000
    with Receiver(mode=mode, delay=2) as receiver:
        destination(receiver.url, timeout_s=0.3, max_attempts=4)
        with django_capture_on_commit_callbacks(execute=True):
            message = services.enqueue("partner", "order.accepted", {})
        delivery = Delivery.objects.get(message=message)
        gaps = []
        tried_at = delivery.attempt_rows.get().started_at
        for _ in range(3):
            delivery.refresh_from_db()
            assert delivery.state == "pending"
            gaps.append((delivery.next_attempt_at - tried_at).total_seconds())
            # Not due yet: the sweep leaves it alone.
            assert services.deliver_due(now=delivery.next_attempt_at - timedelta(seconds=1)) == {}
            tried_at = later(delivery)
            services.deliver_due(now=tried_at)
        assert len(receiver.hits) == 4
    delivery.refresh_from_db()
    assert delivery.state == "failed" and delivery.attempts == 4
    attempts = list(delivery.attempt_rows.order_by("number"))
    assert [a.number for a in attempts] == [1, 2, 3, 4] and not any(a.ok for a in attempts)
    assert all(a.error for a in attempts)
    if mode == "error":
        assert attempts[0].status == 500 and "internal" in attempts[0].response_excerpt
    # Exponential: about 10, 20, 40 s (±25 % jitter).
    assert 7 <= gaps[0] <= 14 and 14 <= gaps[1] <= 27 and 29 <= gaps[2] <= 52
    assert gaps[0] < gaps[1] < gaps[2]


@pytest.mark.slow
def test_failed_delivery_retried_by_administrator_reaches_receiver(db, django_capture_on_commit_callbacks):
    with Receiver(mode="error") as receiver:
        destination(receiver.url, max_attempts=1)
        with django_capture_on_commit_callbacks(execute=True):
            message = services.enqueue("partner", "k", {})
        delivery = Delivery.objects.get(message=message)
        assert delivery.state == "failed"
        out = StringIO()
        call_command("outbox", "failed", stdout=out)
        assert json.loads(out.getvalue())[0]["delivery_id"] == delivery.pk
        receiver.mode = "ok"
        with django_capture_on_commit_callbacks(execute=True):
            call_command("outbox", "retry", str(delivery.pk), stdout=StringIO())
        assert receiver.effects == 1
    delivery.refresh_from_db()
    assert delivery.state == "delivered" and delivery.attempt_rows.count() == 2


@pytest.mark.slow
def test_worker_lost_between_commit_and_delivery_then_exactly_once(db):
    """The `db` fixture never runs on-commit hooks: as if the worker died before it got the task. The sweep
    delivers it; a second sweep sends nothing more."""
    with Receiver(secret=SECRET) as receiver:
        destination(receiver.url)
        with transaction.atomic():
            message = services.enqueue("partner", "order.accepted", {"n": 1}, key="lost")
        assert receiver.hits == []
        assert services.deliver_due() == {"delivered": 1}
        assert services.deliver_due(now=timezone.now() + timedelta(days=1)) == {}
        assert receiver.effects == 1 and len(receiver.hits) == 1 and str(message.id) in receiver.seen


@pytest.mark.slow
def test_worker_killed_while_sending_is_sent_again_and_takes_effect_once(db):
    """A worker that claimed a delivery and sent it but died before recording the outcome: once its lease
    expires the sweep sends it again; the receiver sees the same message id and applies it once."""
    with Receiver() as receiver:
        dest = destination(receiver.url)
        message = services.enqueue("partner", "order.accepted", {})
        delivery = Delivery.objects.get(message=message)
        now = timezone.now()
        assert services._claim(delivery.pk, now) is not None
        transports.send_http_json(dest, message)  # sent … and the worker dies here
        assert services.deliver_due(now=now) == {}  # claimed: nobody else sends it meanwhile
        assert services.deliver_due(now=now + timedelta(minutes=5)) == {"delivered": 1}
        assert len(receiver.hits) == 2 and receiver.effects == 1


def test_transport_that_raises_is_a_failed_attempt(db):
    def broken(destination, message):
        raise ValueError("bug")

    transports.register("broken", broken)
    Destination.objects.create(code="p", transport="broken")
    message = services.enqueue("p", "k", {})
    assert services.deliver_due() == {"pending": 1}
    attempt = Attempt.objects.get(delivery__message=message)
    assert not attempt.ok and "ValueError: bug" in attempt.error


def test_smtp_transport_uses_django_mail(db):
    Destination.objects.create(code="mail", transport="smtp", address="a@example.com, b@example.com")
    message = services.enqueue("mail", "warning", {"subject": "预警", "body": "工单即将超期"})
    assert services.deliver_due() == {"delivered": 1}
    assert mail.outbox[0].subject == "预警" and mail.outbox[0].to == ["a@example.com", "b@example.com"]
    assert mail.outbox[0].extra_headers["X-Yekuo-Message-Id"] == str(message.id)


def test_messages_for_order_and_answer(db, cast):
    from yekuo.orders.tests.test_services import create

    order = create(cast)
    Destination.objects.create(code="utility_water", name="供水单位", transport="smtp", address="w@example.com")
    message = services.enqueue("utility_water", "joint.application", {}, order=order)
    assert [r["partner_state"] for r in selectors.messages_for_order(order)] == ["sent"]
    services.deliver_due()
    assert [r["partner_state"] for r in selectors.messages_for_order(order)] == ["received"]
    services.record_answer(message.id, "utility_water", {"result": "accepted"})
    row = selectors.messages_for_order(order)[0]
    assert row["partner_state"] == "answered" and row["answer"] == {"result": "accepted"}


def test_signature_is_hmac_sha256_over_timestamp_and_body():
    import hashlib
    import hmac

    body = b'{"a": 1}'
    expected = hmac.new(b"s", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert transports.sign("s", "1700000000", body) == f"sha256={expected}"
    assert transports.verify("s", "1700000000", body, f"sha256={expected}")
    assert not transports.verify("s", "1700000001", body, f"sha256={expected}")
