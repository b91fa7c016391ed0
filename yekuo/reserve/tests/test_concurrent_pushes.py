"""Copies of one reserve push at the same instant, and two pushes of one platform project code, make one
project (R5), on PostgreSQL, where the writers really run at once (SQLite serialises them)."""

import json

import pytest
from django.db import connection
from django.test import Client

from yekuo.common.testing import reload_reference_data
from yekuo.intake import credentials
from yekuo.intake.models import Application
from yekuo.intake.platforms import platform_ensure
from yekuo.intake.testing import signed
from yekuo.orders.tests.test_concurrency import in_threads
from yekuo.reserve.models import Project, ProjectEvent
from yekuo.reserve.tests.conftest import push_body

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")

COPIES = 6


def _setup():
    from yekuo.accounts.testing import make_cast

    reload_reference_data()
    cast = make_cast()
    platform = platform_ensure("investment_platform", cast.company)
    return platform, credentials.key_issue(platform)


def _post(path, raw, headers):
    return lambda: Client().post(path, data=raw, content_type="application/json", headers=headers)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_copies_of_a_push_make_one_project():
    platform, issued = _setup()
    body = push_body("TZ-SAME-1", project_code="P-SAME")
    outcomes = in_threads(*[_post(*signed(issued.key.key_id, issued.secret, platform.code, body))
                            for _ in range(COPIES)])  # fmt: skip
    assert all(not isinstance(o, Exception) for o in outcomes), outcomes
    assert [o.status_code for o in outcomes] == [201] * COPIES, [o.content for o in outcomes]
    assert len({json.dumps(o.json(), sort_keys=True) for o in outcomes}) == 1
    assert Project.objects.count() == 1 and Application.objects.count() == 1
    assert ProjectEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_pushes_of_one_project_code_at_once_make_one_project():
    platform, issued = _setup()
    bodies = [push_body(f"TZ-CODE-{n}", project_code="P-CODE", capacity_kva=1000 + n) for n in range(4)]
    outcomes = in_threads(*[_post(*signed(issued.key.key_id, issued.secret, platform.code, b)) for b in bodies])
    assert [getattr(o, "status_code", o) for o in outcomes] == [201] * 4, [getattr(o, "content", o) for o in outcomes]
    assert Project.objects.count() == 1 and Application.objects.count() == 4
    assert ProjectEvent.objects.filter(kind="created").count() == 1
    assert ProjectEvent.objects.filter(kind="updated").count() == 3
