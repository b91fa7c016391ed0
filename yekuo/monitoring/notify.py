"""Sending the warnings (R9 「通知责任人并向其部门升级」, R10; notice §3 「发布时限超期预警」).

The notifier claims the open warnings nobody has sent: `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL
(another worker skips the rows one holds), then a conditional update of `notified_at` that only the first
claimant wins, so each warning is sent once however many workers run. For a claimed warning it finds the
people its rule names for the level, in escalation order (escalation.py), and for each person their
channels (their choice, or YEKUO_NOTIFY_DEFAULT_CHANNELS):

- `inbox`: a message in the in-app inbox (always, whatever the choice);
- `email`: through the outbox's `smtp` transport, destination `alarm-email`;
- `sms`: through the outbox to the SMS gateway, destination `alarm-sms` (transports.send_sms);
- `wecom`, `dingtalk`: one message per warning to the group robot of the order's branch
  (`alarm-wecom-<branch>` / `alarm-dingtalk-<branch>` when such a destination exists, else `alarm-wecom` /
  `alarm-dingtalk`), mentioning by phone the people who chose it.

Every external message is enqueued in the outbox in the same transaction as the claim, so it leaves after
commit, with the outbox's retries; what was sent to whom is a `WarningNotice` row. In quiet hours
(YEKUO_QUIET_HOURS) only levels marked `alarm` in the rules (超期, 严重超期) are sent; a pre-warning's
notices wait until the quiet hours end (`notify_after`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from yekuo.monitoring.escalation import recipients
from yekuo.monitoring.models import ClockWarning, InboxMessage, NotificationPreference, WarningNotice
from yekuo.monitoring.rules import TIER_NAMES, rule_book
from yekuo.regulations.codes import CATEGORIES, NODES
from yekuo.workcal.engine import SHANGHAI

CHANNELS = {"inbox": gettext_lazy("站内消息"), "email": gettext_lazy("电子邮件"), "wecom": gettext_lazy("企业微信"),
            "dingtalk": gettext_lazy("钉钉"), "sms": gettext_lazy("短信")}  # fmt: skip
# channel → (outbox destination code, its transport)
DESTINATIONS = {
    "email": ("alarm-email", "smtp"),
    "sms": ("alarm-sms", "sms"),
    "wecom": ("alarm-wecom", "wecom"),
    "dingtalk": ("alarm-dingtalk", "dingtalk"),
}
CLAIM_BATCH = 100


# ------------------------------------------------------------------------------------------ quiet hours
def quiet_until(now: datetime) -> datetime | None:
    """The end of the quiet hours (YEKUO_QUIET_HOURS, Asia/Shanghai) `now` is in, or None outside them."""
    hours = settings.YEKUO_QUIET_HOURS
    if not hours:
        return None
    begin, end = hours
    local = now.astimezone(SHANGHAI)
    clock = local.time()
    inside = begin <= clock < end if begin < end else clock >= begin or clock < end
    if not inside:
        return None
    until = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if until <= local:
        until += timedelta(days=1)
    return until


def channels_of(user, memo: dict | None = None) -> list[str]:
    """The user's channels: their choice (NotificationPreference) or the default; the inbox always."""
    if memo is not None:
        key = ("channels", user.pk)
        if key not in memo:
            memo[key] = channels_of(user)
        return memo[key]
    pref = NotificationPreference.objects.filter(user=user).values_list("channels", flat=True).first()
    chosen = pref if pref is not None else settings.YEKUO_NOTIFY_DEFAULT_CHANNELS
    return ["inbox", *(c for c in CHANNELS if c != "inbox" and c in chosen)]


# ------------------------------------------------------------------------------------------ texts
def order_link(order) -> str:
    return settings.YEKUO_SITE_URL + reverse("order_detail", args=[order.number])


def context_of(warning: ClockWarning, recipients_text: str = "") -> dict:
    book = rule_book()
    level = book.level(warning.level)
    order = warning.order
    return {
        "warning": warning,
        "level": level.name if level else warning.level,
        "alarm": bool(level and level.alarm),
        "order": order,
        "branch": order.branch.name,
        "category": CATEGORIES.get(order.category, order.category),
        "node": NODES.get(warning.node_code, warning.node_code) or "—",
        "deadline": warning.deadline_at.astimezone(SHANGHAI) if warning.deadline_at else None,
        "due": warning.due_at.astimezone(SHANGHAI),
        "limit_days": warning.clock.limit_days,
        "provisional": warning.provisional,
        "link": order_link(order),
        "recipients": recipients_text,
    }


def render(warning: ClockWarning, recipients_text: str = "") -> dict[str, str]:
    """The Chinese texts of a warning: subject, plain text, Markdown (robots) and SMS."""
    context = context_of(warning, recipients_text)
    with translation.override(settings.LANGUAGE_CODE):
        return {
            name: render_to_string(f"monitoring/notice_{name}.txt", context).strip()
            for name in ("subject", "text", "markdown", "sms")
        }


# ------------------------------------------------------------------------------------------ outbox
def _destination(channel: str, branch_code: str, memo: dict | None = None) -> str:
    if memo is not None:
        key = ("destination", channel, branch_code)
        if key not in memo:
            memo[key] = _destination(channel, branch_code)
        return memo[key]
    from yekuo.outbox.models import Destination

    code, transport = DESTINATIONS[channel]
    if channel in ("wecom", "dingtalk"):
        own = f"{code}-{branch_code}"
        if Destination.objects.filter(code=own).exists():
            return own
    # Created on first use: mail goes out through Django's mail settings at once; the robots and the SMS
    # gateway wait (disabled) until an administrator gives them their address (admin: 消息目的地).
    with translation.override(settings.LANGUAGE_CODE):  # a stored name: in the company's language, not the caller's
        name = f"时限预警·{CHANNELS[channel]}"
    Destination.objects.get_or_create(
        code=code, defaults={"name": name, "transport": transport, "enabled": channel == "email"}
    )
    return code


def _enqueue(channel: str, warning: ClockWarning, payload: dict, key: str, memo: dict | None = None) -> str:
    from yekuo.outbox.services import enqueue

    destination = _destination(channel, warning.order.branch.code, memo)
    message = enqueue(destination, f"warning.{warning.level}", payload, key=key, order=warning.order)
    return str(message.id)


def robot_payload(channel: str, texts: dict[str, str], mobiles: list[str]) -> dict:
    """The group robot's documented message: WeCom `text` with `mentioned_mobile_list`; DingTalk `markdown`
    with `at.atMobiles` (the mentioned phones must also appear in its text to be highlighted)."""
    if channel == "wecom":
        return {"msgtype": "text", "text": {"content": texts["text"], "mentioned_mobile_list": mobiles}}
    mention = "".join(f" @{m}" for m in mobiles)
    return {
        "msgtype": "markdown",
        "markdown": {
            "title": texts["subject"],
            "text": texts["markdown"] + (f"\n\n{mention.strip()}" if mention else ""),
        },
        "at": {"atMobiles": mobiles, "isAtAll": False},
    }


# ------------------------------------------------------------------------------------------ sending
def notify_warning(warning: ClockWarning, now: datetime, memo: dict | None = None) -> int:
    """Tell everyone the warning's rule names for its level, on their channels; returns the notices written.
    Runs inside the claiming transaction. `memo` keeps what does not change within one run (the people of a
    branch and role, their channel choices, the destinations)."""
    memo = {} if memo is None else memo
    found = recipients(warning, memo)
    names = "、".join(dict.fromkeys(f"{person}（{TIER_NAMES[tier]}）" for tier, person in found))
    texts = render(warning, names)
    notices: list[WarningNotice] = []
    inbox: list[InboxMessage] = []
    robots: dict[str, list] = defaultdict(list)
    link = reverse("order_detail", args=[warning.order.number])
    for tier, user in found:
        for channel in channels_of(user, memo):
            if channel == "inbox":
                inbox.append(InboxMessage(user=user, warning=warning, level=warning.level, title=texts["subject"],
                                          body=texts["text"], link=link, created_at=now))  # fmt: skip
                notices.append(WarningNotice(warning=warning, user=user, tier=tier, channel="inbox", created_at=now))
            elif channel == "email" and user.email:
                payload = {"to": [user.email], "subject": texts["subject"], "body": texts["text"]}
                message = _enqueue("email", warning, payload, f"warning:{warning.pk}:email:{user.pk}", memo)
                notices.append(WarningNotice(warning=warning, user=user, tier=tier, channel="email",
                                             target=user.email, outbox_id=message, created_at=now))  # fmt: skip
            elif channel == "sms" and user.phone:
                payload = {"phone": user.phone, "text": texts["sms"], "template": "time_limit_warning",
                           "params": {"order": warning.order.number, "level": texts["subject"]}}  # fmt: skip
                message = _enqueue("sms", warning, payload, f"warning:{warning.pk}:sms:{user.pk}", memo)
                notices.append(WarningNotice(warning=warning, user=user, tier=tier, channel="sms",
                                             target=user.phone, outbox_id=message, created_at=now))  # fmt: skip
            elif channel in ("wecom", "dingtalk"):
                robots[channel].append((tier, user))
    for channel, people in robots.items():
        mobiles = list(dict.fromkeys(user.phone for _tier, user in people if user.phone))
        payload = robot_payload(channel, texts, mobiles)
        message = _enqueue(channel, warning, payload, f"warning:{warning.pk}:{channel}", memo)
        for tier, user in people:
            notices.append(WarningNotice(warning=warning, user=user, tier=tier, channel=channel,
                                         target=user.phone, outbox_id=message, created_at=now))  # fmt: skip
    InboxMessage.objects.bulk_create(inbox, ignore_conflicts=True)  # once per (user, warning)
    WarningNotice.objects.bulk_create(notices)
    return len(notices)


def _queue(now: datetime):
    return ClockWarning.objects.filter(
        Q(notify_after__isnull=True) | Q(notify_after__lte=now),
        notified_at__isnull=True,
        resolved_at__isnull=True,
        clock__state="running",
    )


def send_pending(now: datetime | None = None) -> int:
    """Send every open warning not yet sent (module docstring); returns how many were sent now."""
    now = now or timezone.now()
    book = rule_book()
    quiet = quiet_until(now)
    sent = 0
    memo: dict = {}
    while True:
        with transaction.atomic():
            ids = list(
                _queue(now).select_for_update(skip_locked=True, of=("self",)).order_by("pk")
                .values_list("pk", flat=True)[:CLAIM_BATCH]
            )  # fmt: skip
            if not ids:
                return sent
            held = [
                pk for pk, level in ClockWarning.objects.filter(pk__in=ids).values_list("pk", "level")
                if quiet is not None and not getattr(book.level(level), "alarm", True)
            ]  # fmt: skip
            if held:
                ClockWarning.objects.filter(pk__in=held, notified_at__isnull=True).update(notify_after=quiet)
            claim = [pk for pk in ids if pk not in set(held)]
            for warning in ClockWarning.objects.filter(pk__in=claim).select_related(
                "order__branch", "clock", "node__assignee"
            ):
                # The conditional update is the claim on databases without SKIP LOCKED (SQLite).
                if ClockWarning.objects.filter(pk=warning.pk, notified_at__isnull=True).update(notified_at=now):
                    notify_warning(warning, now, memo)
                    sent += 1
