"""Idempotency keys and event ids name one request (O3, O4): the same key with the same request is a
repetition, with another request a 422 idempotency_mismatch (Stripe's rule); simultaneous repetitions are
reported as the duplicates they are, never as workflow errors or conflicts (on PostgreSQL, with real
concurrency: threads, each with its own database connection)."""

import json

import pytest
from django.db import connection

from yekuo.common.testing import reload_reference_data
from yekuo.orders.models import OrderEvent, WorkOrder
from yekuo.orders.tests.api_helpers import assert_error, client_for, make_order
from yekuo.orders.tests.test_concurrency import in_threads
from yekuo.orders.tests.test_ingest import ORDER, ev, run, statuses

LATE = "补录"
CREATE = {"category": "lv_resident", "channel": "counter", "customer_name": "王五", "site_address": "东区某路",
          "capacity_kva": 8, "voltage": "220V", "branch": "east", "customer_phone": "13912345678"}  # fmt: skip


def _raw(client, path, text: str, key: str):
    return client.post(path, text, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_an_action_key_with_another_body_is_a_mismatch_and_the_same_body_a_repetition(cast):
    order = make_order(cast)
    path = f"/api/v1/orders/{order.number}/complete-node"
    client = client_for(cast.clerk)
    first = _raw(client, path, '{"node": "acceptance", "note": "资料齐全"}', "k-1")
    # the same body, its fields in another order and spaced otherwise: a repetition
    again = _raw(client, path, '{"note":"资料齐全","node":"acceptance"}', "k-1")
    assert first.status_code == again.status_code == 200 and first.json()["events"] == again.json()["events"]
    other = _raw(client, path, '{"node": "acceptance", "note": "另一条"}', "k-1")
    body = assert_error(other, 422, "idempotency_mismatch")
    assert body["field"] == "Idempotency-Key" and order.number in body["message"]
    assert OrderEvent.objects.filter(order=order, type="node.completed").count() == 1


@pytest.mark.django_db
def test_a_create_key_with_another_body_is_a_mismatch(cast):
    client = client_for(cast.clerk)
    first = client.post("/api/v1/orders/", CREATE, format="json", HTTP_IDEMPOTENCY_KEY="new-1")
    again = client.post("/api/v1/orders/", CREATE, format="json", HTTP_IDEMPOTENCY_KEY="new-1")
    assert first.status_code == again.status_code == 201 and first.json()["number"] == again.json()["number"]
    other = client.post("/api/v1/orders/", {**CREATE, "customer_name": "赵六"}, format="json",
                        HTTP_IDEMPOTENCY_KEY="new-1")  # fmt: skip
    assert_error(other, 422, "idempotency_mismatch")
    # a key of a create sent to an action (or the reverse) is another request too
    number = first.json()["number"]
    action = client.post(f"/api/v1/orders/{number}/resume", {}, format="json", HTTP_IDEMPOTENCY_KEY="new-1")
    assert_error(action, 422, "idempotency_mismatch")
    assert WorkOrder.objects.count() == 1


@pytest.mark.django_db
def test_an_event_id_with_another_content_is_a_mismatch(cast):
    assert statuses(run(cast, ev("1", "order.received", "02T09:00", ORDER))) == ["applied"]
    # the same event again, its id as a number and the default system spelled out: a duplicate
    assert statuses(run(cast, {**ev(1, "order.received", "02T09:00", ORDER), "source_system": "mbs"})) == ["duplicate"]
    (later,) = run(cast, ev("1", "order.received", "02T09:30", ORDER))
    assert (later["status"], later["code"], later["field"]) == ("rejected", "idempotency_mismatch", "id")
    # within one batch: the first is applied, the other content of its id refused
    batch = run(cast, ev("2", "node.completed", "02T10:00", node="acceptance"),
                ev("2", "node.completed", "02T11:00", node="acceptance"))  # fmt: skip
    assert statuses(batch) == ["applied", "rejected"] and batch[1]["code"] == "idempotency_mismatch"


# ------------------------------------------------------------------------------------------ at the same time
concurrent = pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
ROUNDS = 8  # each round is one race; the loser's mistake showed in about half of them


@pytest.fixture
def live_cast(transactional_db):
    from yekuo.accounts.testing import make_cast

    reload_reference_data()
    return make_cast()


@concurrent
def test_the_same_events_pushed_twice_at_once_are_applied_once_and_reported_duplicate(live_cast):
    cast = live_cast
    known = [ev(f"k{n}", "order.received", "02T09:00", {**ORDER, "external_ref": f"MBS-K{n}"}) for n in range(ROUNDS)]
    client_for(cast.integration).post("/api/v1/events", known, format="json")
    answers = []
    for n in range(ROUNDS):
        # an event of a known order, one creating a new order, and a new order with its history
        history = {**ORDER, "external_ref": f"MBS-H{n}"}
        batch = json.dumps([
            ev(f"n{n}", "node.completed", "02T10:00", {"external_ref": f"MBS-K{n}"}, node="acceptance"),
            ev(f"o{n}", "order.received", "02T09:00", {**ORDER, "external_ref": f"MBS-R{n}"}),
            ev(f"h{n}", "order.created", "02T08:50", history),
            ev(f"h{n}r", "order.received", "02T09:00", {"external_ref": f"MBS-H{n}"}),
        ])  # fmt: skip

        def push(batch=batch):
            return client_for(cast.integration).post("/api/v1/events", batch, content_type="application/json")

        for response in in_threads(push, push):
            assert response.status_code == 200, (response, response.content)
            answers.append(response.json()["results"])
    for results in answers:
        assert all(r["status"] in ("applied", "duplicate") for r in results), [r.get("message") for r in results]
    for n in range(ROUNDS):
        for id in (f"n{n}", f"o{n}", f"h{n}", f"h{n}r"):
            pair = [r["status"] for results in answers for r in results if r["id"] == id]
            assert sorted(pair) == ["applied", "duplicate"], (id, pair)
    assert OrderEvent.objects.filter(type="node.completed").count() == ROUNDS
    assert WorkOrder.objects.filter(external_ref__startswith="MBS-R").count() == ROUNDS
    assert OrderEvent.objects.filter(order__external_ref__startswith="MBS-H").count() == 2 * ROUNDS


@concurrent
def test_the_same_create_twice_at_once_creates_one_order_and_answers_both(live_cast):
    cast = live_cast
    answers = []
    for n in range(ROUNDS):

        def create(n=n):
            return client_for(cast.clerk).post("/api/v1/orders/", CREATE, format="json",
                                               HTTP_IDEMPOTENCY_KEY=f"race-{n}")  # fmt: skip

        for response in in_threads(create, create):
            answers.append((n, response.status_code, response.json().get("number")))
    assert {status for _, status, _ in answers} == {201}, answers
    for n in range(ROUNDS):
        assert len({number for m, _, number in answers if m == n}) == 1
    assert WorkOrder.objects.count() == ROUNDS
