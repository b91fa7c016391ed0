"""The customer's services (R1, R2): the online application, the one-time codes, the rating."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from yekuo.common.errors import Conflict, InvalidInput
from yekuo.customers import services
from yekuo.customers.models import CustomerDocument, OneTimeCode, OnlineApplication
from yekuo.customers.tests.conftest import CODE, PDF, PNG, energize
from yekuo.intake.models import Application, Route
from yekuo.orders.models import OrderEvent
from yekuo.orders.projection import WorkflowError
from yekuo.outbox.models import Message
from yekuo.partners.models import Verification
from yekuo.partners.simulators.elicence import licence
from yekuo.partners.tests.conftest import set_mode

pytestmark = pytest.mark.django_db


def submit(kind="business", subject=CODE, **kwargs):
    outcome = services.verification_for(kind, subject)
    values = {
        "kind": kind, "application_id": kwargs.pop("application_id", "a1"), "phone": "13900001111",
        "site_address": "东区幸福路8号", "capacity_kva": 30, "voltage": "380V", "outcome": outcome, "terms": True,
        "uploads": [services.Upload("property", SimpleUploadedFile("deed.png", PNG, "image/png"))],
    }  # fmt: skip
    return services.application_submit(**{**values, **kwargs})


def test_an_enterprise_applies_with_its_credit_code_only(cast, elicence):
    order = submit()
    assert order.channel == "online" and order.category == "lv_business"
    assert order.customer_name == licence(CODE)["company_name"] and order.customer_id_number == CODE
    assert order.branch == cast.east and order.received_at is None  # R3: the dispatch queue by default
    application = Application.objects.get(order=order)
    assert application.state == "queued" and application.platform.code == "online"
    assert Verification.objects.get(order=order).state == "verified"
    document = CustomerDocument.objects.get(order=order)
    assert document.file.name.endswith(".png") and document.original_name == "deed.png"  # named by content
    assert "/c/documents/" in application.documents[0]["url"]
    assert OnlineApplication.objects.get(order=order).terms_version == services.TERMS_VERSION


def test_the_licence_service_down_still_saves_the_application_waiting(cast, elicence):
    set_mode(elicence, mode="error")
    order = submit()
    assert order.customer_name.startswith("待核验企业")
    row = Verification.objects.get(order=order)
    assert row.state == "waiting" and row.next_attempt_at is not None  # the worker asks again (partners)


def test_the_branch_route_receives_the_order_at_once(cast, elicence):
    from django.core.management import call_command

    services.online_platform()
    call_command("platforms", "route", "online", "branch", stdout=StringIO())
    assert services.online_platform().route == Route.BRANCH
    order = submit()
    assert order.received_at is not None and order.status == "in_transit"


def test_a_resident_after_face_verification(cast, identity):
    order = submit("resident", "FV0001", voltage="220V", capacity_kva=8)
    assert order.category == "lv_resident" and order.customer_name  # the name the verification gave
    assert Verification.objects.get(order=order).data["result"] == "passed"


def test_the_same_form_twice_makes_one_order(cast, elicence):
    first, again = submit(), submit()
    assert first.pk == again.pk and CustomerDocument.objects.count() == 1


def test_terms_and_document_content_are_checked(cast, elicence):
    with pytest.raises(InvalidInput):
        submit(terms=False)
    fake = SimpleUploadedFile("photo.png", b"<html><script>alert(1)</script></html>", "image/png")
    with pytest.raises(InvalidInput):
        submit(uploads=[services.Upload("property", fake)])
    assert not Application.objects.exists()


def test_a_joint_application_is_sent_to_the_chosen_units(cast, elicence):
    order = submit(
        joint_units=["gas", "water"], uploads=[services.Upload("property", SimpleUploadedFile("d.pdf", PDF))]
    )
    event = OrderEvent.objects.get(order=order, type="joint.offered")
    assert event.payload == {"accepted": True, "units": ["water", "gas"]} and event.source == "system"
    message = Message.objects.get(kind="joint.application")
    assert sorted(d.destination.code for d in message.deliveries.all()) == ["utility_gas", "utility_water"]


# ------------------------------------------------------------------------------------------ codes
def sent_code(order) -> str:
    return Message.objects.filter(kind="customer.code", order=order).latest("created_at").payload["params"]["code"]


def test_a_code_opens_the_order_once(cast, elicence):
    order = submit()
    assert services.code_send(order.number, "10.0.0.1") == "sent"
    message = Message.objects.get(kind="customer.code")
    assert message.payload["phone"] == "13900001111" and message.deliveries.get().destination.code == "customer_sms"
    code = sent_code(order)
    assert services.code_check(order.number, code, "10.0.0.1") == ("ok", order)
    assert services.code_check(order.number, code, "10.0.0.1")[0] == "wrong"  # used


def test_wrong_expired_and_superseded_codes(cast, elicence):
    order = submit()
    services.code_send(order.number, "10.0.0.1")
    first = sent_code(order)
    wrong = "000000" if first != "000000" else "111111"
    assert services.code_check(order.number, wrong, "10.0.0.1")[0] == "wrong"
    services.code_send(order.number, "10.0.0.1")
    second = sent_code(order)
    if first != second:
        assert services.code_check(order.number, first, "10.0.0.1")[0] == "wrong"  # a newer code was sent
    OneTimeCode.objects.filter(order=order).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services.code_check(order.number, second, "10.0.0.1")[0] == "expired"


def test_checks_lock_after_repeated_failures(cast, elicence):
    order = submit()
    services.code_send(order.number, "10.0.0.1")
    code = sent_code(order)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(services.CHECKS_PER_ORDER.limit):
        assert services.code_check(order.number, wrong, "10.0.0.1")[0] == "wrong"
    assert services.code_check(order.number, code, "10.0.0.2")[0] == "locked"  # the order, from any client


def test_sends_are_limited_per_phone_and_per_client(cast, elicence):
    order = submit()
    for _ in range(services.SENDS_PER_PHONE.limit):
        assert services.code_send(order.number, "10.0.0.1") == "sent"
    assert services.code_send(order.number, "10.0.0.9") == "limited"  # the phone, whatever the client
    for i in range(services.SENDS_PER_CLIENT.limit):
        services.code_send(f"YK2099{i:06d}", "10.0.0.3")  # unknown numbers count for the client too
    assert services.code_send("YK2099000000", "10.0.0.3") == "limited"


def test_unknown_number_says_sent_and_sends_nothing(cast):
    assert services.code_send("YK2099999999", "10.0.0.1") == "sent"
    assert not Message.objects.filter(kind="customer.code").exists()


# ------------------------------------------------------------------------------------------ rating
def test_the_customer_rates_an_energized_order_once(cast, elicence):
    order = submit()
    with pytest.raises(WorkflowError):
        services.rate(order, 5, "")
    energize(order, cast)
    event = services.rate(order, 4, " 很快 ")
    assert event.type == "customer.rated" and event.payload == {"score": 4, "comment": "很快"}
    with pytest.raises(Conflict):
        services.rate(order, 5, "")
    with pytest.raises(InvalidInput):
        services.system_event(order, "customer.rated", {"score": 6, "comment": ""})
    with pytest.raises(InvalidInput):
        services.system_event(order, "customer.rated", {"score": True, "comment": ""})


def test_the_rating_and_the_joint_choice_agree_with_the_replayed_log(cast, elicence):
    from yekuo.orders.models import WorkOrder
    from yekuo.orders.recompute import verify_orders

    order = submit(joint_units=["water"])
    energize(order, cast)
    services.rate(order, 5, "")
    assert [diff for _order, diff in verify_orders(WorkOrder.objects.filter(pk=order.pk))] == [[]]


# ------------------------------------------------------------------------------------------ notices
def test_the_customer_hears_of_dispatch_and_energization_by_sms(cast, elicence, gateway,
                                                                 django_capture_on_commit_callbacks):  # fmt: skip
    from yekuo.intake.callbacks import relay_progress
    from yekuo.intake.services import application_dispatch
    from yekuo.outbox.models import Destination
    from yekuo.outbox.seed import seed_destinations

    base = gateway.server_address
    seed_destinations(f"http://{base[0]}:{base[1]}")
    assert Destination.objects.get(code="online").transport == "customer_notice"
    order = submit()
    with django_capture_on_commit_callbacks(execute=True):
        application_dispatch(order.application, actor=cast.dispatcher)
    texts = [m["text"] for m in gateway.received if m["phone"] == "13900001111"]
    assert texts and "已受理" in texts[-1] and cast.east.name in texts[-1]
    order.refresh_from_db()
    energize(order, cast)
    with django_capture_on_commit_callbacks(execute=True):
        relay_progress(now=timezone.now() + timedelta(minutes=5))
    texts = [m["text"] for m in gateway.received if m["phone"] == "13900001111"]
    assert "已正式接电" in texts[-1] and any("已完成“业务受理”" in t for t in texts)


def test_the_queue_shows_the_customer_s_documents_as_kept_copies(cast, elicence, client):
    """The customer's uploads are already checked and kept (R1): the dispatch queue shows them as yekuo's copy at
    once, and the worker never tries to fetch yekuo's own staff-only link as if it were a platform's (R3)."""
    from yekuo.intake.documents import document_fetch
    from yekuo.intake.models import ApplicationDocument

    order = submit()
    row = ApplicationDocument.objects.get(application__order=order)
    assert row.state == "stored" and row.media_type == "image/png" and row.size == len(PNG)
    assert row.file.name == CustomerDocument.objects.get(order=order).file.name
    assert document_fetch(row.pk) is None  # nothing left to fetch
    client.force_login(cast.dispatcher)
    response = client.get(f"/intake/documents/{row.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG
