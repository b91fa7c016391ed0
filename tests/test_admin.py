"""Admin pages render for a superuser, and office hours are added only through the service's rules."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from yekuo.workcal.models import OfficeHours

PAGES = [
    "/admin/workcal/calendaryear/", "/admin/workcal/calendarday/", "/admin/workcal/officehours/",
    "/admin/workcal/officehours/add/", "/admin/orders/workorder/", "/admin/orders/orderevent/",
    "/admin/orders/suspensionreason/", "/admin/regulations/regulation/", "/admin/approvals/ruleset/",
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_admin_pages_render(admin_client, url):
    assert admin_client.get(url).status_code == 200


@pytest.mark.django_db
def test_office_hours_added_in_admin_are_validated(admin_client):
    seasons = [{"name": "全年", "from": "01-01", "to": "12-31", "blocks": [["08:00", "12:00"], ["14:00", "17:00"]]}]
    future = timezone.localdate() + timedelta(days=40)
    page = admin_client.post(
        "/admin/workcal/officehours/add/",
        {"company": "default", "name": "新作息", "effective_from": future.isoformat(), "seasons": json.dumps(seasons)},
    )
    assert page.status_code == 302
    assert OfficeHours.objects.filter(name="新作息").exists()
    past = admin_client.post(
        "/admin/workcal/officehours/add/",
        {"company": "default", "name": "旧", "effective_from": "2020-01-01", "seasons": json.dumps(seasons)},
    )
    assert "必须晚于今天" in past.content.decode()
