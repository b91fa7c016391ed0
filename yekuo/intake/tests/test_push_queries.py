"""The statements of a platform push (R3, P5), pinned so that a change that adds a read to every push shows here.

The nonce goes to the database in these tests (no Redis: three statements, its INSERT in a savepoint), so the
counts are the same on SQLite and PostgreSQL; each durable transaction is a SAVEPOINT and its RELEASE inside
the test's own transaction.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yekuo.intake.models import Application, ApplicationDocument
from yekuo.intake.payload import ApplicationPushSerializer
from yekuo.intake.testing import application
from yekuo.orders.models import WorkOrder


@pytest.fixture(autouse=True)
def _nonces_in_the_database(settings):
    settings.REDIS_URL = ""


def statements(push, body) -> tuple[dict, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = push(body)
    assert response.status_code == 201, response.json()
    return response, [q["sql"] for q in captured.captured_queries]


def tables(sql: list[str], verb: str) -> list[str]:
    """The table each SELECT reads (the last FROM: the regulation's reads the calendar in a subquery first) or
    each INSERT writes."""
    pattern = r'FROM "(\w+)"' if verb == "SELECT" else r'^INSERT INTO "(\w+)"'
    return [re.findall(pattern, s)[-1] for s in sql if s.startswith(verb)]


def test_a_new_push_sends_sixteen_statements_and_the_nonces(push):
    """The key with its platform's columns (1), the nonce (3), the application id looked up once (1), the
    service area with its branch and company (1), the order's idempotency key (1), the regulation in force
    with the calendar token (1), the month's number (1); the order, its nodes, clocks and event in a
    transaction (4 + 2); the application row and its documents in another (2 + 2): their ids come back from
    the INSERT, nothing is read again."""
    push(application("Q-0"))  # the process's copy of the platform (credentials.platform_of), as in a server
    response, sql = statements(push, application("Q-1", documents=[
        {"kind": kind, "name": f"{kind}.pdf", "url": f"https://platform.example/{kind}.pdf"} for kind in ("a", "b")
    ]))  # fmt: skip
    assert len(sql) == 19, "\n".join(sql)
    assert tables(sql, "SELECT") == ["intake_platformkey", "intake_application", "accounts_servicearea",
                                     "orders_orderevent", "regulations_regulation"]  # fmt: skip
    # The branch's company comes with the area: the order's work calendar is the company's.
    assert 'JOIN "accounts_company"' in next(s for s in sql if 'FROM "accounts_servicearea"' in s)
    assert tables(sql, "INSERT") == ["intake_platformnonce", "orders_ordercounter", "orders_workorder",
                                     "orders_nodeinstance", "orders_clock", "orders_orderevent", "intake_application",
                                     "intake_applicationdocument"]  # fmt: skip
    documents = ApplicationDocument.objects.filter(application__external_id="Q-1").order_by("position")
    assert [d.kind for d in documents] == ["a", "b"]
    assert response.json()["order"] == Application.objects.get(external_id="Q-1").order.number


def test_a_repeat_is_answered_from_the_stored_row(push, monkeypatch):
    """The key (1), the nonce (3) and the first answer (1): the body is not checked again, no order is looked
    at, nothing is written but the nonce."""
    body = application("Q-2")
    first = push(body)

    def unchecked(*args, **kwargs):
        raise AssertionError("a repeat's body was checked again")

    monkeypatch.setattr(ApplicationPushSerializer, "is_valid", unchecked)
    response, sql = statements(push, body)  # a retry: the same body, a new nonce
    assert response.json() == first.json() and response.headers["Idempotent-Replayed"] == "true"
    assert len(sql) == 5, "\n".join(sql)
    assert tables(sql, "SELECT") == ["intake_platformkey", "intake_application"]
    assert tables(sql, "INSERT") == ["intake_platformnonce"]
    assert WorkOrder.objects.count() == 1 and Application.objects.count() == 1
