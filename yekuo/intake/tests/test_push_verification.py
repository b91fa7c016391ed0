"""R2 on platform pushes: an application carrying a unified social credit code gets the e-licence, one carrying
the platform's identity-verification reference gets its result; both stored with source and time, shown on the
order and in the queue; a service that is down never holds up or loses the push: the worker asks again."""

from datetime import timedelta

import pytest
from django.utils import timezone

from yekuo.intake import services
from yekuo.intake.models import Application
from yekuo.intake.testing import application
from yekuo.orders.models import WorkOrder
from yekuo.partners import adapters
from yekuo.partners import services as partners
from yekuo.partners.models import Verification
from yekuo.web.tests.helpers import login

CODE = "91150602MA0N1234XU"  # well-formed, with its check character (GB 32100-2015)
LICENCE = {"credit_code": CODE, "company_name": "鄂尔多斯市测试商贸有限公司", "legal_representative": "赵六",
           "address": "东区幸福路8号", "valid_from": "2020-01-01", "valid_until": None}  # fmt: skip
IDENTITY = {"reference": "MSB-77", "method": "face", "verifying_party": "蒙速办", "result": "passed",
            "verified_at": "2026-12-02T09:00:00+08:00"}  # fmt: skip


@pytest.fixture
def services_up(monkeypatch):
    """The two services as adapters that answer (`state["up"] = False`: down, as a timeout would be)."""
    state = {"up": True, "asked": []}

    def answer(data, source):
        def call(subject):
            state["asked"].append(subject)
            if not state["up"]:
                raise adapters.Unavailable("TimeoutError: timed out")
            return adapters.Answer(dict(data), source)

        return call

    monkeypatch.setitem(adapters.ADAPTERS, "elicence", answer(LICENCE, "电子证照共享服务 http://licence.test"))
    monkeypatch.setitem(adapters.ADAPTERS, "identity", answer(IDENTITY, "身份核验服务 http://identity.test"))
    return state


def enterprise(app_id: str, **site) -> dict:
    body = application(app_id, category="lv_business", **site)
    body["customer"] = {"name": "", "id_number": CODE, "phone": "13947700001"}
    return body


def test_a_credit_code_gets_the_licence_by_the_worker(push, cast, services_up, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = push(enterprise("GC-V1"))
    assert response.status_code == 201
    order = WorkOrder.objects.get()
    row = Verification.objects.get(order=order)
    assert row.kind == "elicence" and row.state == "verified" and row.application.external_id == "GC-V1"
    assert row.source == "电子证照共享服务 http://licence.test" and row.fetched_at and row.attempts == 1
    assert order.customer_name == LICENCE["company_name"]  # the stand-in replaced by the licence's name
    assert order.customer_id_number == CODE


def test_a_name_is_needed_without_a_credit_code(push):
    body = application("GC-V2")
    body["customer"]["name"] = ""
    response = push(body)
    assert response.status_code == 400 and "customer.name" in response.json()["errors"]


def test_service_down_the_push_is_saved_waiting_and_retried(push, cast, services_up,
                                                           django_capture_on_commit_callbacks):  # fmt: skip
    services_up["up"] = False
    body = enterprise("GC-V3")
    body["customer"]["identity_ref"] = "MSB-77"
    with django_capture_on_commit_callbacks(execute=True):
        response = push(body)
    assert response.status_code == 201 and response.json()["state"] == "queued"
    order = WorkOrder.objects.get()
    rows = {v.kind: v for v in Verification.objects.filter(order=order)}
    assert set(rows) == {"elicence", "identity"}
    assert all(r.state == "waiting" and r.attempts == 1 and r.next_attempt_at > timezone.now() for r in rows.values())
    assert order.customer_name == partners.placeholder_name(CODE)
    services_up["up"] = True
    later = max(r.next_attempt_at for r in rows.values()) + timedelta(seconds=1)
    assert partners.verification_retry_due(now=later) == {"verified": 2}
    order.refresh_from_db()
    assert order.customer_name == LICENCE["company_name"]
    identity = Verification.objects.get(order=order, kind="identity")
    assert identity.data["result"] == "passed" and identity.source.startswith("身份核验服务")


def test_the_queue_and_the_order_show_what_the_services_returned(push, client, cast, services_up,
                                                                 django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        push(enterprise("GC-V4"))
    login(client, cast.dispatcher, cast)
    (row,) = client.get("/api/v1/intake/queue").json()["results"]
    (licence,) = row["verifications"]
    assert licence["kind"] == "elicence" and licence["state"] == "verified" and licence["subject"] == CODE
    assert licence["data"]["legal_representative"] == "赵六" and licence["source"] and licence["fetched_at"]
    page = client.get("/intake/").content.decode()
    assert "电子证照" in page and "赵六" in page and "licence.test" in page
    number = WorkOrder.objects.get().number
    assert "赵六" in client.get(f"/orders/{number}/").content.decode()


def test_an_unproposed_application_takes_the_licence_name_at_dispatch(push, cast, services_up,
                                                                      django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        push(enterprise("GC-V5", address="火星基地1号"))
    app = Application.objects.get()
    assert app.order is None and app.verifications.get().state == "verified"
    services.application_dispatch(app, actor=cast.dispatcher, branch=cast.east)
    order = Application.objects.get().order
    assert order.customer_name == LICENCE["company_name"]
    assert Verification.objects.get().order == order


def test_what_the_licence_returned_is_read_only(push, client, cast, services_up, django_capture_on_commit_callbacks):
    """R2: staff never retype what the service returned: the edit form shows it read-only, and the service (so
    the API too) refuses to change it; the other fields stay editable."""
    from yekuo.common.errors import InvalidInput
    from yekuo.orders.services import order_edit

    with django_capture_on_commit_callbacks(execute=True):
        push(enterprise("GC-V6"))
    app = Application.objects.get()
    services.application_dispatch(app, actor=cast.dispatcher)
    order = WorkOrder.objects.get()
    with pytest.raises(InvalidInput) as refused:
        order_edit(order, actor=cast.clerk, changes={"customer_name": "别的名字"})
    assert refused.value.field == "customer_name"
    order_edit(order, actor=cast.clerk, changes={"customer_notice": "短信告知"})  # the rest is editable
    login(client, cast.clerk, cast)
    page = client.get(f"/orders/{order.number}/").content.decode()
    assert "来自电子证照，不可修改" in page
    posted = {"edit-customer_name": "别的名字", "edit-note": "x", "edit-site_address": order.site_address,
              "edit-capacity_kva": "100", "edit-voltage": "380V"}  # fmt: skip
    client.post(f"/orders/{order.number}/actions/edit/", posted)
    assert WorkOrder.objects.get().customer_name == LICENCE["company_name"]
