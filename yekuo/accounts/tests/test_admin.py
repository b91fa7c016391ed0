"""Every admin page of the accounts app renders for a superuser."""

import pytest
from django.contrib import admin
from django.urls import reverse

from yekuo.accounts.demo import create_demo_org

MODELS = [model for model in admin.site._registry if model._meta.app_label == "accounts"]


@pytest.fixture
def staff_client(client, db):
    create_demo_org()
    from yekuo.accounts.models import User

    client.force_login(User.objects.get(username="ordos_admin"))
    return client


@pytest.mark.parametrize("model", MODELS, ids=[m.__name__ for m in MODELS])
def test_changelist_and_change_page(staff_client, model):
    opts = model._meta
    assert staff_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code == 200
    obj = model.objects.first()
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    assert staff_client.get(url).status_code == 200


def test_filters_and_search(staff_client):
    url = reverse("admin:accounts_user_changelist")
    page = staff_client.get(url, {"q": "dongsheng", "roles__code__exact": "acceptance_clerk"})
    assert page.status_code == 200
    assert "dongsheng_clerk" in page.content.decode() and "kangbashi_clerk" not in page.content.decode()
    assert staff_client.get(reverse("admin:accounts_servicearea_changelist"), {"q": "东胜"}).status_code == 200


def test_add_user_page_and_roles_cannot_be_added(staff_client):
    assert staff_client.get(reverse("admin:accounts_user_add")).status_code == 200
    assert staff_client.get(reverse("admin:accounts_servicearea_add")).status_code == 200
    assert staff_client.get(reverse("admin:accounts_role_add")).status_code == 403


def test_models_are_all_registered():
    names = {model.__name__ for model in MODELS}
    assert names == {"Company", "Branch", "Station", "Department", "ServiceArea", "Role", "User"}
