"""The dispatcher's queue page (R3): rows with data, documents and waiting time; dispatch, override, return,
reject, transfer; scope; the Excel export; the API."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from yekuo.intake.models import Application
from yekuo.intake.testing import application
from yekuo.orders.models import OrderEvent, WorkOrder
from yekuo.web.tests.helpers import login


@pytest.fixture
def two(push):
    assert push(application("Q-1", address="东区幸福路8号")).status_code == 201
    assert push(application("Q-2", address="西区长安街2号")).status_code == 201
    return Application.objects.get(external_id="Q-1"), Application.objects.get(external_id="Q-2")


def test_the_queue_shows_each_application_with_its_data_documents_and_wait(client, cast, two):
    login(client, cast.dispatcher, cast)
    page = client.get("/intake/").content.decode()
    assert page.count('class="card mb-2 yk-application"') == 2
    assert "Q-1" in page and "东区幸福路8号" in page and "东区供电分公司" in page and "licence.pdf" in page
    assert "等待" in page and "审核派单" in page


def test_dispatch_override_return_reject_and_transfer_from_the_page(client, cast, two):
    first, second = two
    login(client, cast.dispatcher, cast)
    response = client.post(f"/intake/{first.pk}/dispatch/", {f"d{first.pk}-branch": cast.west.pk}, follow=True)
    assert "已派单" in response.content.decode()
    assert WorkOrder.objects.get(pk=first.order_id).branch == cast.west
    assert client.post(f"/intake/{second.pk}/return/", {f"r{second.pk}-reason": ""}).status_code == 400
    client.post(f"/intake/{second.pk}/return/", {f"r{second.pk}-reason": "缺少用电地址证明"})
    second.refresh_from_db()
    assert second.state == "returned" and second.reason == "缺少用电地址证明"
    dispatched = client.get("/intake/?state=dispatched").content.decode()
    assert "Q-1" in dispatched and "转派其他分公司" in dispatched
    client.post(f"/intake/{first.pk}/transfer/", {f"t{first.pk}-branch": cast.east.pk, f"t{first.pk}-reason": "改派"})
    assert WorkOrder.objects.get(pk=first.order_id).branch == cast.east
    assert OrderEvent.objects.filter(order_id=first.order_id, type="order.transferred").exists()
    log = client.get(f"/orders/{WorkOrder.objects.get(pk=first.order_id).number}/").content.decode()
    assert "派单至：西区供电分公司" in log and "系统建议：东区供电分公司" in log
    assert "由 西区供电分公司 转派至 东区供电分公司" in log and "原因：改派" in log
    book = load_workbook(BytesIO(client.get("/intake/export.xlsx?state=returned").content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "推送平台" and [r[1] for r in rows[1:]] == ["Q-2"]


def test_branch_staff_do_not_work_the_queue(client, cast, two):
    for user in (cast.clerk, cast.branch_manager):
        login(client, user, cast)
        assert client.get("/intake/").status_code == 403
        assert "审核派单" not in client.get("/orders/").content.decode()
    login(client, cast.dispatcher, cast)
    assert "审核派单" in client.get("/orders/").content.decode()


def test_the_queue_api(client, cast, two):
    first, second = two
    login(client, cast.dispatcher, cast)
    rows = client.get("/api/v1/intake/queue").json()["results"]
    assert [r["application_id"] for r in rows] == ["Q-1", "Q-2"]
    assert rows[0]["proposed_branch"] == "east" and rows[0]["waiting_seconds"] >= 0 and rows[0]["documents"]
    done = client.post(
        f"/api/v1/intake/applications/{first.pk}/dispatch", {"branch": "west"}, content_type="application/json"
    )
    assert done.status_code == 200 and done.json()["branch"] == "west" and done.json()["state"] == "dispatched"
    again = client.post(f"/api/v1/intake/applications/{first.pk}/dispatch", {}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    no_reason = client.post(f"/api/v1/intake/applications/{second.pk}/reject", {}, content_type="application/json")
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "invalid_input"
    moved = client.post(f"/api/v1/intake/orders/{WorkOrder.objects.get(pk=first.order_id).number}/transfer",
                        {"branch": "east", "reason": "地址核实"}, content_type="application/json")  # fmt: skip
    assert moved.status_code == 200 and moved.json()["branch"] == "east"
    login(client, cast.clerk, cast)
    assert client.get("/api/v1/intake/queue").json()["code"] == "forbidden"


def test_the_queue_in_english(client, cast, two):
    login(client, cast.dispatcher, cast)
    client.post("/i18n/setlang/", {"language": "en", "next": "/intake/"})
    page = client.get("/intake/").content.decode()
    assert "Dispatch queue" in page and "Proposed branch" in page and "Return / reject" in page


def test_a_queued_order_is_seen_but_not_received_by_its_branch(client, cast, two):
    """R3: the branch sees the order proposed to it (page and API), but it reaches the branch by dispatch only:
    neither the page nor the API lets the branch receive it; dispatch does, and then the branch works it."""
    first, _second = two
    login(client, cast.clerk, cast)
    number = WorkOrder.objects.get(pk=first.order_id).number
    assert 'id="action-receive"' not in client.get(f"/orders/{number}/").content.decode()
    assert client.get(f"/api/v1/orders/{number}/").status_code == 200
    refused = client.post(f"/api/v1/orders/{number}/receive", {}, content_type="application/json")
    assert refused.status_code == 409 and refused.json()["code"] == "awaiting_dispatch"
    from yekuo.common.errors import Conflict
    from yekuo.orders import services as orders

    with pytest.raises(Conflict):
        orders.order_receive(first.order_id, actor=cast.clerk)
    assert WorkOrder.objects.get(pk=first.order_id).received_at is None
    login(client, cast.dispatcher, cast)
    dispatched = client.post(f"/api/v1/intake/applications/{first.pk}/dispatch", {}, content_type="application/json")
    assert dispatched.status_code == 200
    order = WorkOrder.objects.get(pk=first.order_id)
    assert order.received_at is not None and order.branch == cast.east


def test_return_and_reject_through_the_api_tell_the_platform(client, cast, two, callbacks_sent):
    first, second = two
    login(client, cast.dispatcher, cast)
    returned = client.post(f"/api/v1/intake/applications/{first.pk}/return", {"reason": "缺少产权证明"},
                           content_type="application/json")  # fmt: skip
    assert returned.status_code == 200 and returned.json()["state"] == "returned"
    assert returned.json()["reason"] == "缺少产权证明"
    rejected = client.post(f"/api/v1/intake/applications/{second.pk}/reject", {"reason": "重复申请"},
                           content_type="application/json")  # fmt: skip
    assert rejected.status_code == 200 and rejected.json()["state"] == "rejected"
    told = [(kind, payload["application_id"], payload["reason"]) for _dest, kind, payload, _key in callbacks_sent]
    assert told == [("application.returned", "Q-1", "缺少产权证明"), ("application.rejected", "Q-2", "重复申请")]
    for app in (first, second):
        order = WorkOrder.objects.get(pk=app.order_id)
        assert order.status in ("returned", "rejected", "cancelled") and order.received_at is None
    assert client.get("/api/v1/intake/queue").json()["results"] == []


def test_the_queue_names_document_kinds_in_the_page_s_language(client, cast, two):
    """A platform's document kinds are codes (`licence`): the dispatcher reads what the document is, in Chinese or
    English, and the API keeps the code."""
    login(client, cast.dispatcher, cast)
    page = client.get("/intake/").content.decode()
    assert "营业执照或其他主体资格证明" in page and "(licence)" not in page
    client.cookies["django_language"] = "en"
    assert "Business licence or other proof of entity" in client.get("/intake/").content.decode()
