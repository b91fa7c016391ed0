"""The channels against real local receivers (R10): an SMTP server, WeCom and DingTalk robot endpoints and an
SMS gateway, all reached through the outbox, with its retries."""

import base64
import hashlib
import hmac

import pytest

from yekuo.monitoring.models import WarningNotice
from yekuo.monitoring.scan import scan
from yekuo.monitoring.services import channels_set
from yekuo.outbox.models import Delivery, Destination
from yekuo.outbox.services import deliver_due
from yekuo.workcal.tests.conftest import at

from .conftest import create
from .receivers import smtp_server, webhook_server

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def smtp(settings):
    server, mailbox = smtp_server()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.server_address[1]
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield mailbox
    server.shutdown()
    server.server_close()


@pytest.fixture
def hooks():
    server, received, base = webhook_server()
    yield received, base
    server.shutdown()
    server.server_close()


def test_email_reaches_a_real_smtp_server(cast, smtp, django_capture_on_commit_callbacks):
    cast.clerk.email = "clerk@example.com"
    cast.clerk.save()
    order = create(cast, "2026-11-02 09:00")
    with django_capture_on_commit_callbacks(execute=True):
        scan(at("2026-11-02 12:00"))
    assert len(smtp.messages) == 1
    _sender, rcpts, message = smtp.messages[0]
    assert rcpts == ["clerk@example.com"]
    assert str(message["Subject"]).strip() == f"【预警】业扩工单 {order.number} 业务受理"
    body = message.get_content()
    assert "即将到期" in body and "2026-11-02 15:00" in body and f"/orders/{order.number}/" in body
    assert message["X-Yekuo-Message-Id"]
    assert Delivery.objects.get(destination__code="alarm-email").state == "delivered"


def test_robots_and_sms_gateway(cast, hooks, django_capture_on_commit_callbacks):
    received, base = hooks
    Destination.objects.create(code="alarm-wecom", transport="wecom", url=f"{base}/cgi-bin/webhook/send?key=K1")
    Destination.objects.create(code="alarm-dingtalk", transport="dingtalk", secret="SEC-test",
                               url=f"{base}/robot/send?access_token=T1")  # fmt: skip
    Destination.objects.create(code="alarm-sms", transport="sms", url=f"{base}/sms", secret="gateway-token")
    cast.clerk.phone = "13800000001"
    cast.clerk.save()
    channels_set(cast.clerk, ["wecom", "dingtalk", "sms"])
    order = create(cast, "2026-11-02 09:00")
    with django_capture_on_commit_callbacks(execute=True):
        scan(at("2026-11-02 12:00"))
    by_path = {path: (query, headers, body) for path, query, headers, body in received.requests}
    assert set(by_path) == {"/cgi-bin/webhook/send", "/robot/send", "/sms"}

    query, _headers, body = by_path["/cgi-bin/webhook/send"]
    assert query == {"key": "K1"} and body["msgtype"] == "text"
    assert order.number in body["text"]["content"] and body["text"]["mentioned_mobile_list"] == ["13800000001"]

    query, _headers, body = by_path["/robot/send"]
    assert body["msgtype"] == "markdown" and body["at"]["atMobiles"] == ["13800000001"]
    # DingTalk's 加签: the receiver can check the signature with the shared secret.
    expected = base64.b64encode(
        hmac.new(b"SEC-test", f"{query['timestamp']}\nSEC-test".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["access_token"] == "T1" and query["sign"] == expected

    _query, headers, body = by_path["/sms"]
    assert headers["Authorization"] == "Bearer gateway-token" and body["phone"] == "13800000001"
    assert order.number in body["text"] and body["message_id"]
    assert set(Delivery.objects.values_list("state", flat=True)) == {"delivered"}
    assert WarningNotice.objects.filter(channel__in=["wecom", "dingtalk", "sms"]).count() == 3


def test_a_refusing_robot_is_retried(cast, hooks, django_capture_on_commit_callbacks):
    received, base = hooks
    received.answers = [(200, {"errcode": 93000, "errmsg": "invalid webhook url"})]
    Destination.objects.create(code="alarm-wecom", transport="wecom", url=f"{base}/cgi-bin/webhook/send?key=K1")
    channels_set(cast.clerk, ["wecom"])
    create(cast, "2026-11-02 09:00")
    with django_capture_on_commit_callbacks(execute=True):
        scan(at("2026-11-02 12:00"))
    delivery = Delivery.objects.get(destination__code="alarm-wecom")
    assert delivery.state == "pending"
    deliver_due(now=delivery.next_attempt_at)  # the sweep, when the backoff has passed
    delivery.refresh_from_db()
    errors = list(delivery.attempt_rows.order_by("pk").values_list("error", flat=True))
    assert delivery.state == "delivered" and errors[0] == "errcode 93000" and len(received.requests) == len(errors) == 2
