"""R3: a pushed application whose address maps to no service area is not refused: it waits in the dispatch
queue with no branch proposed, and its order is made when the dispatcher picks the branch."""

import pytest

from yekuo.common.errors import InvalidInput
from yekuo.intake import services
from yekuo.intake.models import Application
from yekuo.intake.testing import application
from yekuo.intake.tests.conftest import pusher
from yekuo.orders.models import Clock, OrderEvent, WorkOrder
from yekuo.web.tests.helpers import login

NOWHERE = "火星基地1号"


def test_an_address_with_no_service_area_lands_in_the_queue_unproposed(push, client, cast):
    body = application("GC-N1", address=NOWHERE)  # one body: its submitted_at is the time it is made
    response = push(body)
    assert response.status_code == 201
    answer = response.json()
    assert answer["state"] == "queued" and answer["order"] is None and answer["branch"] is None
    app = Application.objects.get(external_id="GC-N1")
    assert app.proposed_branch is None and app.order is None and not WorkOrder.objects.exists()
    again = push(body)  # idempotent all the same
    assert again.status_code == 201 and again.json() == answer and Application.objects.count() == 1
    login(client, cast.dispatcher, cast)
    (row,) = client.get("/api/v1/intake/queue").json()["results"]
    assert row["application_id"] == "GC-N1" and row["proposed_branch"] is None and row["order"] is None
    assert "地址未对应营业区，请选择分公司" in client.get("/intake/").content.decode()


def test_an_unknown_area_code_queues_unproposed_too(push):
    response = push(application("GC-N2", address=NOWHERE, site={"address": NOWHERE, "area_code": "nope"}))
    assert response.status_code == 201 and response.json()["order"] is None


def test_its_data_is_still_checked(push):
    bad = application("GC-N3", address=NOWHERE)
    bad["customer"]["phone"] = "12345"
    response = push(bad)
    assert response.status_code == 400 and set(response.json()["errors"]) == {"customer.phone"}
    assert not Application.objects.exists()


def test_the_dispatcher_picks_the_branch_and_the_order_is_made_then(push, client, cast, callbacks_sent):
    push(application("GC-N4", address=NOWHERE))
    app = Application.objects.get(external_id="GC-N4")
    with pytest.raises(InvalidInput) as refused:
        services.application_dispatch(app, actor=cast.dispatcher)
    assert refused.value.field == "branch"
    login(client, cast.dispatcher, cast)
    response = client.post(f"/api/v1/intake/applications/{app.pk}/dispatch", {"branch": "west"},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 200 and response.json()["branch"] == "west"
    app.refresh_from_db()
    order = app.order
    assert order.branch == cast.west and order.service_area == cast.west_area and order.channel == "approval_platform"
    assert order.received_at is not None and order.status == "in_transit"
    created = OrderEvent.objects.get(order=order, type="order.created")
    assert created.actor == app.platform.account and created.idempotency_key == "platform:approval_platform:GC-N4"
    received = OrderEvent.objects.get(order=order, type="order.received")
    assert received.actor == cast.dispatcher and received.payload["proposed_branch"] is None
    assert Clock.objects.get(order=order, code="acceptance").started_at == order.received_at
    (accepted,) = [c for c in callbacks_sent if c[1] == "application.accepted"]
    assert accepted[2]["branch"] == "west" and accepted[2]["order"] == order.number
    page = client.get(f"/orders/{order.number}/").content.decode()
    assert "派单至：西区供电分公司" in page and "系统建议" not in page


def test_the_page_dispatches_an_unproposed_application(push, client, cast):
    push(application("GC-N5", address=NOWHERE))
    app = Application.objects.get(external_id="GC-N5")
    login(client, cast.dispatcher, cast)
    response = client.post(f"/intake/{app.pk}/dispatch/", {f"d{app.pk}-branch": cast.east.pk}, follow=True)
    assert response.status_code == 200 and "已派单" in response.content.decode()
    assert Application.objects.get(pk=app.pk).order.branch == cast.east


def test_return_and_reject_need_no_order(push, cast, callbacks_sent):
    push(application("GC-N6", address=NOWHERE))
    push(application("GC-N7", address=NOWHERE))
    returned = services.application_return(Application.objects.get(external_id="GC-N6"), actor=cast.dispatcher,
                                           reason="地址不全，请补充旗区")  # fmt: skip
    rejected = services.application_reject(Application.objects.get(external_id="GC-N7"), actor=cast.dispatcher,
                                           reason="不在本公司供电范围")  # fmt: skip
    assert returned.state == "returned" and rejected.state == "rejected" and not WorkOrder.objects.exists()
    kinds = [(c[1], c[2]["order"], c[2]["reason"]) for c in callbacks_sent]
    assert kinds == [("application.returned", None, "地址不全，请补充旗区"),
                     ("application.rejected", None, "不在本公司供电范围")]  # fmt: skip


def test_a_platform_routed_to_branches_queues_what_it_cannot_place(client, platforms, cast):
    from yekuo.intake.models import Route

    gov = platforms["gov_portal"]
    gov.route = Route.BRANCH
    gov.save()
    response = pusher(client, gov)(application("GOV-N1", address=NOWHERE))
    assert response.status_code == 201 and response.json()["state"] == "queued"
    assert response.json()["route"] == "queue" and not WorkOrder.objects.exists()


def test_the_dispatcher_may_name_the_service_area(push, client, cast):
    from yekuo.accounts.models import ServiceArea

    second = ServiceArea.objects.create(branch=cast.west, code="west2", name="西区二营业区", keywords=["长安"])
    push(application("GC-N8", address=NOWHERE))
    push(application("GC-N9", address=NOWHERE))
    first, other = Application.objects.order_by("external_id")
    login(client, cast.dispatcher, cast)
    wrong = client.post(f"/api/v1/intake/applications/{first.pk}/dispatch", {"branch": "east", "service_area": "west2"},
                        content_type="application/json")  # fmt: skip
    assert wrong.status_code == 400 and wrong.json()["field"] == "service_area"
    done = client.post(f"/api/v1/intake/applications/{first.pk}/dispatch", {"service_area": "west2"},
                       content_type="application/json")  # fmt: skip
    assert done.status_code == 200 and done.json()["branch"] == "west"
    assert Application.objects.get(pk=first.pk).order.service_area == second
    page = client.get("/intake/").content.decode()
    assert f'name="d{other.pk}-service_area"' in page
    posted = {f"d{other.pk}-branch": cast.west.pk, f"d{other.pk}-service_area": second.pk}
    assert client.post(f"/intake/{other.pk}/dispatch/", posted).status_code == 302
    assert Application.objects.get(pk=other.pk).order.service_area == second
