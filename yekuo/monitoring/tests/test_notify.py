"""Notifications and escalation (R9, R10): who is told at each level, in which order, on which channels;
quiet hours; each warning sent once; the inbox and its unread count."""

from datetime import time

import pytest
from django.core import mail
from django.urls import reverse

from yekuo.monitoring.models import ClockWarning, InboxMessage, WarningNotice
from yekuo.monitoring.notify import quiet_until, robot_payload, send_pending
from yekuo.monitoring.scan import scan
from yekuo.monitoring.services import channels_set
from yekuo.outbox.models import Destination, Message
from yekuo.workcal.tests.conftest import at

from .conftest import create

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(cast):
    """The marketing department's manager is placed in it; the dispatcher works for the service center."""
    cast.department_manager.department = cast.departments["marketing_service"]
    cast.department_manager.save()
    cast.dispatcher.department = cast.departments["customer_service_center"]
    cast.dispatcher.save()
    for user in cast.users.values():
        if not user.email:
            user.email = f"{user.username}@example.com"
            user.save()
    return cast


def told(order, level):
    notices = WarningNotice.objects.filter(warning__order=order, warning__level=level, channel="inbox")
    return [(n.tier, n.user.username) for n in notices.order_by("pk")]


def test_escalation_by_level(people):
    cast = people
    order = create(cast, "2026-11-02 09:00")
    scan(at("2026-11-02 12:00"))
    assert told(order, "pre") == [("responsible", "clerk")]
    scan(at("2026-11-02 15:00"))
    assert told(order, "overdue") == [("responsible", "clerk"), ("branch_manager", "branch_manager")]
    scan(at("2026-11-03 09:00"))
    assert told(order, "serious") == [
        ("responsible", "clerk"),
        ("branch_manager", "branch_manager"),
        ("department", "department_manager"),
        ("service_center", "dispatcher"),
    ]
    # Nobody of the west branch hears of an east order.
    assert not WarningNotice.objects.filter(user__branch=cast.west).exists()


def test_the_assignee_is_the_responsible_person(people):
    from yekuo.orders import services

    cast = people
    order = create(cast, "2026-11-02 09:00")
    services.order_assign(order, actor=cast.branch_manager, node="acceptance", assignee=cast.customer_manager,
                          occurred_at=at("2026-11-02 09:10"), source="import")  # fmt: skip
    scan(at("2026-11-02 12:00"))
    assert told(order, "pre") == [("responsible", "customer_manager")]


def test_without_a_responsible_person_the_branch_manager_is_told(people):
    cast = people
    order = create(cast, "2026-11-02 09:00")
    cast.clerk.is_active = False  # the branch's only acceptance clerk leaves
    cast.clerk.save()
    scan(at("2026-11-02 12:00"))
    assert told(order, "pre") == [("responsible", "branch_manager")]


def test_each_warning_is_sent_once(people):
    cast = people
    order = create(cast, "2026-11-02 09:00")
    scan(at("2026-11-02 15:00"))
    count = WarningNotice.objects.count()
    assert scan(at("2026-11-02 15:00")).notified == 0
    assert send_pending(at("2026-11-02 15:30")) == 0
    assert WarningNotice.objects.count() == count
    assert InboxMessage.objects.filter(user=cast.clerk, warning__order=order).count() == 2


def test_email_through_the_outbox_in_chinese(people, django_capture_on_commit_callbacks):
    cast = people
    order = create(cast, "2026-11-02 09:00")
    with django_capture_on_commit_callbacks(execute=True):
        scan(at("2026-11-02 15:00"))
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == [f"【超期】业扩工单 {order.number} 业务受理"] * 2 + [f"【预警】业扩工单 {order.number} 业务受理"]
    body = next(m.body for m in mail.outbox if "超期" in m.subject)
    assert order.number in body and "业务受理" in body and "2026-11-02 15:00" in body
    assert f"/orders/{order.number}/" in body and "已超期" in body
    assert Message.objects.filter(kind="warning.overdue").count() == 2  # the clerk and the branch manager


def test_per_user_channel_choice(people, django_capture_on_commit_callbacks):
    cast = people
    channels_set(cast.clerk, ["sms", "wecom"])
    cast.clerk.phone = "13800000001"
    cast.clerk.save()
    order = create(cast, "2026-11-02 09:00")
    with django_capture_on_commit_callbacks(execute=True):
        scan(at("2026-11-02 12:00"))
    channels = sorted(WarningNotice.objects.filter(user=cast.clerk).values_list("channel", flat=True))
    assert channels == ["inbox", "sms", "wecom"]  # no email: not chosen
    assert not mail.outbox
    wecom = Message.objects.get(kind="warning.pre", deliveries__destination__code="alarm-wecom")
    assert wecom.payload["msgtype"] == "text" and wecom.payload["text"]["mentioned_mobile_list"] == ["13800000001"]
    assert order.number in wecom.payload["text"]["content"]
    # The robots and the SMS gateway wait, disabled, until an administrator gives them an address.
    assert not Destination.objects.get(code="alarm-wecom").enabled


def test_a_branch_robot_is_used_when_configured(people):
    cast = people
    Destination.objects.create(code="alarm-dingtalk-east", transport="dingtalk", enabled=False)
    channels_set(cast.clerk, ["dingtalk"])
    create(cast, "2026-11-02 09:00")
    scan(at("2026-11-02 12:00"))
    message = Message.objects.get(deliveries__destination__code="alarm-dingtalk-east")
    assert message.payload["msgtype"] == "markdown" and message.payload["at"]["isAtAll"] is False


def test_quiet_hours(people, settings):
    settings.YEKUO_QUIET_HOURS = (time(22, 0), time(7, 30))
    assert quiet_until(at("2026-11-02 21:59")) is None
    assert quiet_until(at("2026-11-02 23:00")) == at("2026-11-03 07:30")
    assert quiet_until(at("2026-11-03 06:00")) == at("2026-11-03 07:30")
    assert quiet_until(at("2026-11-03 07:30")) is None
    cast = people
    order2 = create(cast, "2026-11-02 15:00")  # deadline Tue 09:30 (3 h Monday + 30 min Tuesday)
    scan(at("2026-11-02 23:00"))  # pre due Monday 17:37:30: quiet hours, held
    assert told(order2, "pre") == []
    held = ClockWarning.objects.get(order=order2, level="pre")
    assert held.notify_after == at("2026-11-03 07:30") and held.notified_at is None
    scan(at("2026-11-03 07:00"))
    assert told(order2, "pre") == []
    scan(at("2026-11-03 09:30"))  # after the quiet hours: held pre-warning and the overdue alarm go out
    assert told(order2, "pre") == [("responsible", "clerk")]
    assert told(order2, "overdue")[0] == ("responsible", "clerk")


def test_overdue_alarms_are_sent_in_quiet_hours(people, settings):
    settings.YEKUO_QUIET_HOURS = (time(22, 0), time(7, 30))
    cast = people
    order = create(cast, "2026-11-02 09:00")
    scan(at("2026-11-02 23:00"))
    assert told(order, "overdue") and not told(order, "pre")


def test_provisional_calendar_is_said(people):
    cast = people
    order = create(cast, "2026-11-02 09:00")
    scan(at("2026-11-02 12:00"))
    warning = ClockWarning.objects.get(order=order)
    warning.provisional = True
    from yekuo.monitoring.notify import render

    texts = render(warning)
    assert "依据临时日历，可能调整" in texts["text"] and "临时日历" in texts["sms"]


def test_robot_payloads_follow_the_documented_formats():
    texts = {"subject": "【超期】业扩工单 YK1", "text": "正文", "markdown": "### 正文"}
    assert robot_payload("wecom", texts, ["138"]) == {
        "msgtype": "text", "text": {"content": "正文", "mentioned_mobile_list": ["138"]},
    }  # fmt: skip
    ding = robot_payload("dingtalk", texts, ["138"])
    assert ding["msgtype"] == "markdown" and ding["markdown"]["title"] == texts["subject"]
    assert ding["markdown"]["text"].endswith("@138") and ding["at"] == {"atMobiles": ["138"], "isAtAll": False}


def test_inbox_page_and_unread_count(people, client):
    cast = people
    order = create(cast, "2026-11-02 09:00")
    scan(at("2026-11-02 15:00"))
    client.force_login(cast.clerk)
    page = client.get(reverse("inbox"))
    html = page.content.decode()
    assert page.status_code == 200 and 'id="inbox-unread"' in html and ">2</span>" in html
    assert order.number in html and "超期" in html
    first = InboxMessage.objects.filter(user=cast.clerk).first()
    client.post(reverse("inbox_read"), {"id": [first.pk]})
    assert InboxMessage.objects.filter(user=cast.clerk, read_at__isnull=True).count() == 1
    client.post(reverse("inbox_read"))
    html = client.get(reverse("inbox")).content.decode()
    assert 'id="inbox-unread"' not in html
    # Another user's messages are neither shown nor marked.
    client.force_login(cast.west_clerk)
    assert order.number not in client.get(reverse("inbox")).content.decode()


def test_channel_choice_page(people, client):
    cast = people
    client.force_login(cast.clerk)
    client.post(reverse("inbox_channels"), {"channel": ["dingtalk", "email", "bogus"]})
    from yekuo.monitoring.notify import channels_of

    assert channels_of(cast.clerk) == ["inbox", "email", "dingtalk"]
    page = client.get(reverse("inbox")).content.decode()
    assert "钉钉" in page and "企业微信" in page
    client.cookies["django_language"] = "en"
    page = client.get(reverse("inbox")).content.decode()
    assert "DingTalk" in page and "WeCom" in page and "钉钉" not in page  # the channels in the page's language
