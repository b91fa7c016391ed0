"""R1: the supply contract signed online on the customer's progress page: offered once the supply plan is
answered, signed once, on the log with the signed file's digest, seen by the customer manager."""

import hashlib
from io import BytesIO

import pytest

from yekuo.common.errors import Conflict, InvalidInput
from yekuo.customers import access, contract
from yekuo.customers.models import ContractSignature
from yekuo.orders import services
from yekuo.orders.models import OrderEvent
from yekuo.orders.projection import WorkflowError
from yekuo.web.tests.helpers import complete, login, make_order

pytestmark = pytest.mark.django_db


def planned(cast, **kwargs):
    """An order whose supply plan is answered (acceptance and survey_plan done)."""
    order = make_order(cast, **kwargs)
    complete(order, cast.clerk, "acceptance", "2026-09-29 10:00")
    complete(order, cast.customer_manager, "survey_plan", "2026-09-30 10:00")
    order.refresh_from_db()
    return order


def open_order(client, order) -> None:
    """The customer opens their order as the slip's QR link does (access binds it to the session)."""
    assert client.get(f"/c/t/{access.link_token(order.number)}").status_code == 302


def test_offered_only_once_the_supply_plan_is_answered(client, cast):
    order = make_order(cast)
    open_order(client, order)
    assert 'id="contract-sign"' not in client.get(f"/c/track/{order.number}").content.decode()
    page = client.get(f"/c/track/{order.number}/contract").content.decode()
    assert "供电方案答复后即可在线签订合同" in page and 'id="contract-form"' not in page
    assert client.post(f"/c/track/{order.number}/contract", {"signer": "张三", "agree": "on"}).status_code == 409
    assert not OrderEvent.objects.filter(order=order, type="customer.contract_signed").exists()
    with pytest.raises(Conflict):
        contract.sign(order, "张三", True)


def test_the_log_refuses_a_signature_before_the_plan_or_after_cancellation(cast):
    from yekuo.customers.services import system_event

    order = make_order(cast)
    digest = "0" * 64
    with pytest.raises(WorkflowError, match="supply plan"):
        system_event(order, "customer.contract_signed", {"version": contract.VERSION, "sha256": digest})
    with pytest.raises(InvalidInput):
        system_event(order, "customer.contract_signed", {"version": contract.VERSION, "sha256": "not hex"})
    order = planned(cast)
    services.order_cancel(order, actor=cast.branch_manager, cancel_reason="客户撤回申请")
    order.refresh_from_db()
    assert contract.refusal(order) == "该申请已撤销，无需签订合同。"
    with pytest.raises(WorkflowError, match="cancelled"):
        system_event(order, "customer.contract_signed", {"version": contract.VERSION, "sha256": digest})


def test_a_name_and_the_agreement_are_needed(client, cast):
    order = planned(cast)
    open_order(client, order)
    answer = client.post(f"/c/track/{order.number}/contract", {"signer": "  ", "agree": ""})
    text = answer.content.decode()
    assert answer.status_code == 400 and 'id="contract-form"' in text and text.count("invalid-feedback") == 2
    with pytest.raises(InvalidInput):
        contract.sign(order, "张三", False)
    assert not ContractSignature.objects.exists()


def test_someone_who_has_not_opened_the_order_cannot_see_or_sign_it(client, cast):
    order = planned(cast)
    assert client.get(f"/c/track/{order.number}/contract")["Location"].startswith("/c/track?")
    assert client.post(f"/c/track/{order.number}/contract", {"signer": "李四", "agree": "on"}).status_code == 302
    assert client.get(f"/c/contract/{order.number}.pdf").status_code == 404
    assert not ContractSignature.objects.exists()


@pytest.mark.slow  # WeasyPrint asks fontconfig, which starts a process
def test_signed_once_on_the_log_with_the_files_digest_and_seen_by_staff(client, cast, settings, tmp_path):
    from pypdf import PdfReader

    settings.MEDIA_ROOT = tmp_path
    order = planned(cast, category="lv_business", customer_name="东胜区宏达商贸有限公司",
                    customer_id_number="91150602MA0N5678YM")  # fmt: skip
    open_order(client, order)
    assert 'id="contract-sign"' in client.get(f"/c/track/{order.number}").content.decode()
    page = client.get(f"/c/track/{order.number}/contract").content.decode()
    assert "低压供用电合同" in page and "东胜区宏达商贸有限公司" in page and "139****5678" in page
    answer = client.post(f"/c/track/{order.number}/contract", {"signer": " 王  五 ", "agree": "on"},
                         REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="phone")  # fmt: skip
    assert answer.status_code == 302
    row = ContractSignature.objects.get(order=order)
    assert (row.signer_name, row.client_ip, row.user_agent, row.version) == ("王 五", "10.1.2.3", "phone", "2026-01")
    pdf = client.get(f"/c/contract/{order.number}.pdf")
    content = b"".join(pdf.streaming_content)
    assert pdf.status_code == 200 and content.startswith(b"%PDF-")
    event = OrderEvent.objects.get(order=order, type="customer.contract_signed")
    assert event.payload == {"version": "2026-01", "sha256": hashlib.sha256(content).hexdigest()} == {
        "version": row.version, "sha256": row.sha256}  # fmt: skip
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(content)).pages)
    assert "供用电合同" in text and order.number in text and "王 五" in text
    # Once: the page shows the signature, a second signature is refused and nothing changes.
    page = client.get(f"/c/track/{order.number}/contract").content.decode()
    assert 'id="contract-signed"' in page and 'id="contract-form"' not in page
    assert client.post(f"/c/track/{order.number}/contract", {"signer": "赵六", "agree": "on"}).status_code == 409
    with pytest.raises(Conflict):
        contract.sign(order, "赵六", True)
    assert OrderEvent.objects.filter(order=order, type="customer.contract_signed").count() == 1
    # The customer manager sees it on the order's page and opens the file; another branch does not.
    login(client, cast.customer_manager, cast)
    detail = client.get(f"/orders/{order.number}/").content.decode()
    assert 'id="order-contract"' in detail and "客户在线签订供用电合同" in detail
    assert client.get(f"/c/contract/{order.number}.pdf").status_code == 200
    login(client, cast.west_clerk, cast)
    assert client.get(f"/c/contract/{order.number}.pdf").status_code == 404
