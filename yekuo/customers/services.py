"""Writes of the customer's own pages (R1 一网办·掌上办·一次办, R2): the online application, the one-time codes, the
rating; and the system events they record on the order.

- `application_submit`: /c/apply's application becomes an order of channel `online` the way a platform's push
  does (`intake.services.push_receive` under the platform `online`): it follows that platform's route (the
  customer service center's dispatch queue, or straight to the branch of the service area), a repeated submit
  of the same form makes no second order, and the licence or identity answer asked before (outside any
  transaction) is stored with it (`partners.services.verification_record`: a licence service that was down
  leaves the application waiting for verification, retried by the worker).
- `code_send` / `code_check`: a one-time code to the phone on file, through the outbox (destination
  `customer_sms`, transport `sms`); sends are limited per phone number and per client address, checks per order
  and per client (the order locks for a while after repeated failures), a code expires after
  YEKUO_CODE_SECONDS and dies when used or when a newer one is sent.
- `rate`: the customer's rating of an energized order: the order event `customer.rated`
  `{"score": 1–5, "comment": str}`, once per order (the return visits read exactly this).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yekuo.accounts.models import Company
from yekuo.common.errors import Conflict, InvalidInput
from yekuo.common.throttle import FailureLimit
from yekuo.common.uploads import EVIDENCE_TYPES, check_evidence
from yekuo.customers.models import CustomerDocument, OneTimeCode, OnlineApplication
from yekuo.intake.models import Application, ApplicationDocument, DocumentState, Platform
from yekuo.intake.payload import ApplicationPushSerializer
from yekuo.intake.platforms import platform_ensure
from yekuo.intake.routing import proposed_area
from yekuo.intake.services import push_receive
from yekuo.orders.events import JOINT_UNITS, event_type
from yekuo.orders.models import EventSource, OrderEvent, WorkOrder
from yekuo.orders.projection import Event
from yekuo.orders.selectors import ORDER_NUMBER, digits
from yekuo.orders.validation import FieldErrors
from yekuo.outbox.services import enqueue
from yekuo.partners import services as partners
from yekuo.partners.models import VerificationKind

PLATFORM_CODE = "online"  # the intake platform whose route online applications follow (R1, R3)
SMS_DESTINATION = "customer_sms"
TERMS_VERSION = "2026-01"  # the version of the supply terms (供用电须知) shown on /c/apply
CATEGORY = {"resident": "lv_resident", "business": "lv_business"}  # R1: low-voltage connections online

# Sends: per phone number and per client address; checks: per order number and per client address. A limit
# counts every try (sends are never given back; a code found right gives back its check).
SENDS_PER_PHONE = FailureLimit("code-send-phone", limit=5, seconds=3600)
SENDS_PER_CLIENT = FailureLimit("code-send-client", limit=20, seconds=3600)
CHECKS_PER_ORDER = FailureLimit("code-check-order", limit=5, seconds=900)
CHECKS_PER_CLIENT = FailureLimit("code-check-client", limit=20, seconds=900)


# ------------------------------------------------------------------------------------------ the application
def online_company() -> Company:
    code = settings.YEKUO_ONLINE_COMPANY
    company = Company.objects.filter(code=code).first() if code else Company.objects.order_by("pk").first()
    if company is None:
        raise InvalidInput(f"no company {code!r} for online applications (YEKUO_ONLINE_COMPANY)", field="company")
    return company


def online_platform() -> Platform:
    """The intake platform of the online channel (made with the default route, the dispatch queue, the first
    time; its route is data: admin 推送平台 or `yekuo platforms`)."""
    found = Platform.objects.filter(code=PLATFORM_CODE).select_related("company", "account").first()
    return found or platform_ensure(PLATFORM_CODE, online_company(), name="网上自助办电", channel="online")


@dataclass
class Upload:
    kind: str
    file: object  # an UploadedFile


def document_name(upload) -> str:
    """The stored name of an acceptable upload (type checked by content, size limited), else InvalidInput."""
    return check_evidence(upload)


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def application_submit(
    *,
    kind: str,
    application_id: str,
    phone: str,
    site_address: str,
    capacity_kva,
    voltage: str,
    name: str = "",
    outcome: partners.Outcome | None = None,
    uploads: list[Upload] = (),
    terms: bool = False,
    joint_units=(),
) -> WorkOrder:
    """R1: an online application from /c/apply becomes an order of channel `online` (see the module's docstring).
    `outcome` is the licence (enterprise) or identity (resident) answer, asked before by the caller; `name` the
    resident's name when the identity service gave none. Refusals are InvalidInput / FieldErrors by field."""
    if kind not in CATEGORY:
        raise InvalidInput("kind is resident or business", field="kind")
    if not terms:
        raise InvalidInput(_("请阅读并同意供用电须知"), field="terms")
    if outcome is None:
        raise InvalidInput(_("请先完成身份核验"), field="identity_ref" if kind == "resident" else "credit_code")
    units = [u for u in JOINT_UNITS if u in set(joint_units)]
    stored = [(u, document_name(u.file), _sha256(u.file)) for u in uploads]  # refused before anything is written
    if kind == "business":
        id_number = outcome.subject
        customer = outcome.data.get("company_name") if outcome.verified else partners.placeholder_name(outcome.subject)
    else:
        id_number = ""
        customer = (outcome.data.get("name") if outcome.verified else "") or name.strip()
    company = online_company()
    # R3: a platform's push with an address of no service area waits for the dispatcher to choose; the customer
    # applying here is asked to say where instead, while they can still correct it.
    if proposed_area(company, site_address) is None:
        raise FieldErrors({"site.area_code": [_("未能识别用电地址所属营业区，请写明旗区、镇（街道）等地名")]})
    keys = [CustomerDocument._meta.get_field("key").default() for _u in stored]
    raw = {
        "application_id": application_id,
        "submitted_at": timezone.now().isoformat(),
        "category": CATEGORY[kind],
        "customer": {"name": customer or "", "id_number": id_number, "phone": phone},
        "site": {"address": site_address},
        "capacity_kva": str(capacity_kva),
        "voltage": voltage,
        "documents": [
            {"kind": u.kind, "name": u.file.name[:200], "sha256": sha,
             "url": f"{settings.YEKUO_SITE_URL.rstrip('/')}/c/documents/{k}/"}
            for (u, _stored, sha), k in zip(stored, keys, strict=True)
        ],
    }  # fmt: skip
    serializer = ApplicationPushSerializer(data=raw)
    if not serializer.is_valid():
        raise FieldErrors({field: [str(e) for e in errors] if isinstance(errors, list) else [str(errors)]
                           for field, errors in _flat(serializer.errors).items()})  # fmt: skip
    body = {**raw, "submitted_at": None, "documents": [{**d, "url": ""} for d in raw["documents"]]}
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    platform = online_platform()
    if platform.company_id != company.pk:
        raise InvalidInput("the online platform belongs to another company", field="company")
    earlier = Application.objects.filter(platform=platform, external_id=application_id).select_related("order").first()
    if earlier is not None:  # the form sent again (reloaded, or back and resent): its first order stands
        return earlier.order
    application, created = push_receive(platform, serializer.validated_data, digest)
    order = application.order
    if not created or OnlineApplication.objects.filter(order=order).exists():
        return order  # the same form sent twice: the first order, nothing written again
    documents: list[CustomerDocument] = []
    with transaction.atomic():
        OnlineApplication.objects.create(order=order, kind=kind, terms_version=TERMS_VERSION,
                                         terms_accepted_at=timezone.now(), joint_units=units)  # fmt: skip
        for (upload, stored_name, sha), key in zip(stored, keys, strict=True):
            document = CustomerDocument(key=key, order=order, kind=upload.kind, original_name=upload.file.name[:200],
                                        size=upload.file.size, sha256=sha)  # fmt: skip
            document.file.save(stored_name, upload.file, save=False)
            document.save()
            # R1, R3: the upload is already checked and kept; the queue shows it as yekuo's copy at once rather than
            # the worker fetching yekuo's own staff-only link as if it were a platform's (it could only fail).
            ApplicationDocument.objects.filter(application=application, position=len(documents)).update(
                state=DocumentState.STORED, file=document.file.name, size=document.size, fetched_at=timezone.now(),
                media_type=EVIDENCE_TYPES[document.file.name.rsplit(".", 1)[-1]][0], next_attempt_at=None,
                last_error="",
            )  # fmt: skip
            documents.append(document)
        partners.verification_record(order, outcome)
        if units:
            joint_send(order, units)
    return order


def _flat(errors, prefix="") -> dict:
    flat = {}
    for field, value in errors.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{field}."))
        else:
            flat[f"{prefix}{field}"] = value
    return flat


def joint_send(order: WorkOrder, units: list[str]) -> None:
    """R4: the joint utility application chosen online: the `joint.offered` event (recorded by yekuo for the
    customer) and the application sent to each unit through the outbox, as the counter's action sends it."""
    event = system_event(order, "joint.offered", {"accepted": True, "units": units})
    order.refresh_from_db()
    enqueue([partners.joint_destination(u) for u in units], "joint.application", partners.joint_payload(order),
            key=f"joint:{order.number}:{event.seq}", order=order)  # fmt: skip


def system_event(order: WorkOrder, kind: str, payload: dict) -> OrderEvent:
    """Append an event that yekuo records for the customer (source `system`, no staff actor) through the
    projection, the order locked, in the caller's transaction or its own; WorkflowError when the order's
    state refuses it (as suspension_review records `suspension.flagged`)."""
    from yekuo.orders.services import fold, write_projection
    from yekuo.orders.store import events_of

    event_type(kind).check_payload(payload)
    with transaction.atomic():
        order = WorkOrder.objects.select_for_update(of=("self",)).select_related("branch__company").get(pk=order.pk)
        now = timezone.now()
        events = events_of(order.pk)
        after = fold(order, [*events, Event(kind, now, payload, seq=order.event_count + 1)])
        order.event_count += 1
        row = OrderEvent(order=order, seq=order.event_count, type=kind, occurred_at=now, source=EventSource.SYSTEM,
                         payload=payload)  # fmt: skip
        if not write_projection(order, None, after, [row]):
            raise Conflict("the order changed meanwhile; repeat the request")
    return row


def verification_for(kind: str, subject: str) -> partners.Outcome:
    """Ask the licence (business) or identity (resident) service now, outside any transaction (R2)."""
    return partners.verification_ask(VerificationKind.ELICENCE if kind == "business" else VerificationKind.IDENTITY,
                                      subject)  # fmt: skip


# ------------------------------------------------------------------------------------------ rating
def rated(order: WorkOrder) -> OrderEvent | None:
    return order.events.filter(type="customer.rated").order_by("seq").first()


def rate(order: WorkOrder, score: int, comment: str = "") -> OrderEvent:
    """R1: the customer rates the service once the order is energized, once (a second rating is refused)."""
    comment = (comment or "").strip()
    with transaction.atomic():
        WorkOrder.objects.select_for_update(of=("self",)).filter(pk=order.pk).first()
        if rated(order) is not None:
            raise Conflict(_("您已评价过该申请，感谢您的反馈。"))
        return system_event(order, "customer.rated", {"score": score, "comment": comment})


# ------------------------------------------------------------------------------------------ one-time codes
def _digest(order: WorkOrder, code: str) -> str:
    key = f"{settings.SECRET_KEY}:customers.code".encode()
    return hmac.new(key, f"{order.pk}:{code}".encode(), hashlib.sha256).hexdigest()


def order_by_number(number: str) -> WorkOrder | None:
    number = (number or "").strip().upper()
    if not ORDER_NUMBER.fullmatch(number):
        return None
    return WorkOrder.objects.select_related("branch__company").filter(number=number).first()


class Sent:
    SENT, LIMITED = "sent", "limited"


def code_send(number: str, client: str) -> str:
    """Send a new code to the phone on file of order `number`: "sent" (also when there is no such order or no
    phone: the page says the same, so numbers cannot be probed) or "limited" (too many sends from this client
    or to this phone: wait for the window's end)."""
    if not SENDS_PER_CLIENT.attempt(client):
        return Sent.LIMITED
    order = order_by_number(number)
    phone = digits(order.customer_phone) if order else ""
    if len(phone) < 7:
        return Sent.SENT
    if not SENDS_PER_PHONE.attempt(phone):
        return Sent.LIMITED
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    minutes = -(-settings.YEKUO_CODE_SECONDS // 60)
    text = _("【供电公司】您正在查询办电申请 %(number)s 的进度，验证码 %(code)s，%(minutes)s 分钟内有效。"
             "如非本人操作请忽略。")  # fmt: skip
    with transaction.atomic():
        OneTimeCode.objects.filter(order=order, used_at__isnull=True).update(used_at=now)  # older codes die
        OneTimeCode.objects.create(order=order, digest=_digest(order, code), created_at=now,
                                   expires_at=now + timedelta(seconds=settings.YEKUO_CODE_SECONDS))  # fmt: skip
        enqueue(SMS_DESTINATION, "customer.code", {
            "phone": order.customer_phone, "template": "track_code",
            "text": text % {"number": order.number, "code": code, "minutes": minutes},
            "params": {"number": order.number, "code": code, "minutes": minutes},
        }, order=order)  # fmt: skip
    return Sent.SENT


class Checked:
    OK, WRONG, EXPIRED, LOCKED = "ok", "wrong", "expired", "locked"


def code_check(number: str, code: str, client: str) -> tuple[str, WorkOrder | None]:
    """(outcome, the order when OK). Each check counts against the order and the client; a right code gives its
    counts back. LOCKED: too many failures for this order or from this client (for CHECKS_PER_ORDER.minutes)."""
    if not CHECKS_PER_CLIENT.attempt(client):
        return Checked.LOCKED, None
    order = order_by_number(number)
    if order is None:
        return Checked.WRONG, None
    if not CHECKS_PER_ORDER.attempt(order.number):
        return Checked.LOCKED, None
    now = timezone.now()
    latest = OneTimeCode.objects.filter(order=order).order_by("-created_at", "-pk").first()
    code = (code or "").strip()
    if latest is None or latest.used_at is not None:
        return Checked.WRONG, None
    if not hmac.compare_digest(latest.digest, _digest(order, code)):
        OneTimeCode.objects.filter(pk=latest.pk).update(failures=latest.failures + 1)
        return Checked.WRONG, None
    if latest.expires_at <= now:
        return Checked.EXPIRED, None
    if not OneTimeCode.objects.filter(pk=latest.pk, used_at__isnull=True).update(used_at=now):
        return Checked.WRONG, None  # used by a simultaneous check
    CHECKS_PER_ORDER.succeeded(order.number)
    CHECKS_PER_CLIENT.succeeded(client)
    return Checked.OK, order
