"""Copies of one push arriving at the same instant on several web workers make one order (R3), on
PostgreSQL: the unique (platform, application id) index makes the later inserts wait for the first and then
fail, and each of them answers with the first push's result. SQLite serialises writers by itself."""

import json

import pytest
from django.db import connection
from django.test import Client

from yekuo.common.testing import reload_reference_data
from yekuo.intake import credentials
from yekuo.intake.models import Application
from yekuo.intake.platforms import platform_ensure
from yekuo.intake.testing import application, signed
from yekuo.orders.models import OrderEvent, WorkOrder
from yekuo.orders.tests.test_concurrency import in_threads

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")

COPIES = 6


@pytest.mark.django_db(transaction=True)
def test_simultaneous_copies_of_a_push_make_one_order():
    from yekuo.accounts.testing import make_cast

    reload_reference_data()
    cast = make_cast()
    platform = platform_ensure("approval_platform", cast.company)
    issued = credentials.key_issue(platform)
    body = application("SAME-1")
    requests = [signed(issued.key.key_id, issued.secret, platform.code, body) for _ in range(COPIES)]

    def post(path, raw, headers):
        return lambda: Client().post(path, data=raw, content_type="application/json", headers=headers)

    outcomes = in_threads(*[post(*request) for request in requests])
    assert all(not isinstance(o, Exception) for o in outcomes), outcomes
    assert [o.status_code for o in outcomes] == [201] * COPIES, [o.content for o in outcomes]
    answers = {json.dumps(o.json(), sort_keys=True) for o in outcomes}
    assert len(answers) == 1  # every copy got the first answer
    assert sum(o.headers.get("Idempotent-Replayed") == "true" for o in outcomes) == COPIES - 1
    assert WorkOrder.objects.count() == 1 and Application.objects.count() == 1
    assert OrderEvent.objects.filter(type="order.created").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_replayed_request_at_the_same_instant_is_accepted_once():
    """The very same signed request (same nonce) sent twice at once: one is accepted, the other refused as
    a replay by the nonce table's unique constraint."""
    from yekuo.accounts.testing import make_cast

    reload_reference_data()
    cast = make_cast()
    platform = platform_ensure("approval_platform", cast.company)
    issued = credentials.key_issue(platform)
    path, raw, headers = signed(issued.key.key_id, issued.secret, platform.code, application("SAME-2"))
    same = lambda: Client().post(path, data=raw, content_type="application/json", headers=headers)  # noqa: E731
    outcomes = in_threads(same, same)
    assert sorted(o.status_code for o in outcomes) == [201, 401]
    assert WorkOrder.objects.count() == 1
