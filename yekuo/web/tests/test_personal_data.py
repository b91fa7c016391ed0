"""Personal data (O9): masked in lists and exports, revealed with one click on the order page
to the staff who work the order, every reveal recorded and shown to auditors; nothing outside scope."""

import pytest

from yekuo.orders import services
from yekuo.orders.models import PersonalDataReveal
from yekuo.orders.personal_data import may_reveal
from yekuo.web.tests.helpers import IMPORT, login, make_order

pytestmark = pytest.mark.django_db
PHONE, ID = "13912345678", "152701199001011239"


def reveal(client, order, field="customer_phone", **headers):
    return client.post(f"/orders/{order.number}/reveal/{field}/", **headers)


def test_the_customer_manager_reveals_the_phone_with_one_click_and_it_is_recorded(client, cast):
    order = make_order(cast)
    login(client, cast.customer_manager, cast)
    page = client.get(f"/orders/{order.number}/").content.decode()
    assert PHONE not in page and "139****5678" in page and f"/orders/{order.number}/reveal/customer_phone/" in page
    response = reveal(client, order)
    assert response.status_code == 200 and PHONE in response.content.decode() and ID not in response.content.decode()
    fragment = reveal(client, order, "customer_id_number", HTTP_HX_REQUEST="true").content.decode()
    assert ID in fragment and "<html" not in fragment
    records = list(PersonalDataReveal.objects.order_by("pk").values_list("user__username", "order_id", "field"))
    assert records == [("customer_manager", order.pk, "customer_phone"),
                       ("customer_manager", order.pk, "customer_id_number")]  # fmt: skip
    # Lists and exports stay masked, even for who may reveal.
    listing = client.get("/orders/").content.decode()
    assert PHONE not in listing and ID not in listing


def test_reveal_needs_a_post_with_the_csrf_token(cast):
    from django.test import Client

    order = make_order(cast)
    strict = Client(enforce_csrf_checks=True)
    login(strict, cast.customer_manager, cast)
    assert strict.get(f"/orders/{order.number}/reveal/customer_phone/").status_code == 405
    assert reveal(strict, order).status_code == 403
    assert not PersonalDataReveal.objects.exists()


def test_who_may_reveal(cast):
    east, west = make_order(cast), make_order(cast, branch=cast.west)
    assert may_reveal(cast.clerk, east) and may_reveal(cast.customer_manager, east)
    assert may_reveal(cast.dispatcher, west)
    # Managers, auditors and the project manager see masked data unless assigned to the order.
    for user in (cast.branch_manager, cast.department_manager, cast.auditor, cast.project_manager, cast.integration):
        assert not may_reveal(user, east), user
    # Scope: a role that may reveal, but in another branch.
    assert not may_reveal(cast.west_customer_manager, east) and not may_reveal(cast.outsider, east)
    services.order_assign(east, actor=cast.dispatcher, node="survey_plan", assignee=cast.project_manager,
                          occurred_at=east.created_at, source=IMPORT)  # fmt: skip
    assert may_reveal(cast.project_manager, east) and not may_reveal(cast.project_manager, west)


def test_no_reveal_outside_scope_or_role(client, cast):
    east, west = make_order(cast), make_order(cast, branch=cast.west)
    login(client, cast.branch_manager, cast)
    page = client.get(f"/orders/{east.number}/").content.decode()
    assert "/reveal/" not in page and PHONE not in page
    assert reveal(client, east).status_code == 403
    login(client, cast.customer_manager, cast)
    assert reveal(client, west).status_code == 404  # out of scope: not even found
    assert reveal(client, east, "customer_name").status_code == 404
    assert not PersonalDataReveal.objects.exists()


def test_auditors_see_the_reveals_of_their_scope(client, cast):
    order = make_order(cast)
    login(client, cast.customer_manager, cast)
    reveal(client, order)
    assert client.get("/audit/personal-data/").status_code == 403
    login(client, cast.auditor, cast)
    page = client.get("/audit/personal-data/").content.decode()
    assert order.number in page and "customer_manager" in page and "联系电话" in page
    assert "个人信息查看记录" in client.get("/").content.decode()  # in the auditor's navigation
