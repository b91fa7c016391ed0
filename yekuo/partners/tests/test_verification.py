"""R2 one-certificate and face applications: the adapters against the local simulators (real HTTP), the
counter form that fills and locks what the e-licence service returned, and nothing lost when a service is
down, slow or answers garbage: the order is saved waiting and the worker asks again."""

from datetime import timedelta

import pytest
from django.utils import timezone

from yekuo.orders.models import WorkOrder
from yekuo.partners import adapters, services
from yekuo.partners.models import Verification
from yekuo.partners.simulators.elicence import licence
from yekuo.partners.tests.conftest import running, set_mode
from yekuo.web.tests.helpers import login

CODE = "91150602MA0N1234XU"  # well-formed, with its check character (GB 32100-2015)
pytestmark = pytest.mark.slow  # every test here starts a simulator (a server)


def test_licence_lookup_through_the_adapter(services_at):
    with running("elicence") as server:
        services_at(elicence=server)
        answer = adapters.licence_lookup(CODE)
        assert answer.data["company_name"] == licence(CODE)["company_name"]
        assert set(answer.data) == {"credit_code", "company_name", "legal_representative", "address",
                                    "valid_from", "valid_until"}  # fmt: skip
        assert answer.source.startswith("电子证照共享服务 http://127.0.0.1:")
        with pytest.raises(adapters.NotFound):
            adapters.licence_lookup("91150602MA0N12000W")


@pytest.mark.parametrize("mode", ["error", "slow", "garbage"])
def test_licence_service_failing_is_unavailable(services_at, mode):
    with running("elicence", mode=mode, delay=1.5 if mode == "slow" else 0) as server:
        services_at(elicence=server)
        with pytest.raises(adapters.Unavailable):
            adapters.licence_lookup(CODE)


def test_identity_result_through_the_adapter(services_at):
    with running("identity") as server:
        services_at(identity=server)
        passed = adapters.identity_result("MSB20261202A1").data
        assert passed["method"] == "face" and passed["result"] == "passed" and "蒙速办" in passed["verifying_party"]
        assert adapters.identity_result("MSB20261202F").data["result"] == "failed"


def _counter(client, cast, **fields):
    login(client, cast.clerk, cast)
    data = {"category": "lv_business", "customer_name": "", "customer_phone": "13800001111",
            "site_address": "东区幸福路8号", "service_area": "", "capacity_kva": "50", "voltage": "380V"}  # fmt: skip
    data.update(fields)
    return client.post("/orders/new/", data, follow=True)


def test_counter_form_takes_the_licence_and_ignores_a_typed_name(client, cast, services_at):
    with running("elicence") as server, running("identity") as face:
        services_at(elicence=server, identity=face)
        login(client, cast.clerk, cast)
        preview = client.post("/orders/new/", {"credit_code": CODE, "lookup": "1"})
        page = preview.content.decode()
        assert licence(CODE)["company_name"] in page and "电子证照已核验" in page
        assert preview.context["form"].fields["customer_name"].disabled  # read-only on the form
        assert not preview.context["form"].is_bound  # a preview shows no errors of fields not yet filled in
        missing = client.post("/orders/new/", {"credit_code": "91150602MA0N12000W", "lookup": "1"})
        assert "电子证照中查无此统一社会信用代码" in missing.content.decode()
        response = _counter(client, cast, credit_code=CODE, customer_name="随便写的名字", identity_ref="MSB1")
    order = WorkOrder.objects.get()
    assert order.customer_name == licence(CODE)["company_name"]  # the service's, not the typed one
    assert order.customer_id_number == CODE  # the enterprise's certificate
    rows = {v.kind: v for v in Verification.objects.filter(order=order)}
    assert rows["elicence"].state == "verified" and rows["elicence"].fetched_at and rows["elicence"].source
    assert rows["identity"].data["result"] == "passed"
    page = response.content.decode()
    assert licence(CODE)["legal_representative"] in page and "电子证照共享服务" in page and "刷脸" in page


def test_licence_not_registered_is_the_forms_error(client, cast, services_at):
    with running("elicence") as server:
        services_at(elicence=server)
        response = _counter(client, cast, credit_code="91150602MA0N12000W")
    assert response.status_code == 400 and not WorkOrder.objects.exists()
    assert response.context["form"].errors["credit_code"] == ["电子证照中查无此统一社会信用代码"]


@pytest.mark.parametrize("mode", ["error", "slow", "garbage"])
def test_service_down_the_order_is_saved_waiting_and_the_worker_fills_it(client, cast, services_at, mode):
    with running("elicence", mode=mode, delay=1.5 if mode == "slow" else 0) as server:
        services_at(elicence=server)
        response = _counter(client, cast, credit_code=CODE)
        order = WorkOrder.objects.get()  # accepted and saved all the same
        row = Verification.objects.get(order=order)
        assert row.state == "waiting" and row.next_attempt_at and row.last_error
        assert order.customer_name == services.placeholder_name(CODE)
        assert "服务暂时无法访问" in response.content.decode()
        # Still down when the worker asks: it waits again, later.
        assert services.verification_retry_due(now=row.next_attempt_at + timedelta(seconds=1)) == {"waiting": 1}
        row.refresh_from_db()
        assert row.state == "waiting" and row.attempts == 2
        set_mode(server, mode="ok", delay=0)
        assert services.verification_retry_due(now=row.next_attempt_at + timedelta(seconds=1)) == {"verified": 1}
    row.refresh_from_db()
    order.refresh_from_db()
    assert row.state == "verified" and row.data["company_name"] == order.customer_name == licence(CODE)["company_name"]
    assert services.verification_retry_due(now=timezone.now() + timedelta(days=1)) == {}  # nothing asked twice
