"""The hot path's prepared statements (yekuo/common/db.py fetch_prepared): same values as Django's cursors,
Django's exceptions for database errors, and a statement that is lost or fails leaves the next one working."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, ProgrammingError, connection

from yekuo.common.db import _numbered_placeholders, fetch_prepared

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite runs these statements through Django's cursor"
)


def test_placeholders_are_numbered():
    assert _numbered_placeholders("SELECT %s, %s::jsonb") == "SELECT $1, $2::jsonb"
    assert _numbered_placeholders("SELECT 1") == "SELECT 1"


def test_a_percent_sign_that_is_not_a_placeholder_is_refused():
    with pytest.raises(ValueError, match="only %s placeholders"):
        _numbered_placeholders("SELECT 'a%%' || %s")


@postgresql_only
@pytest.mark.django_db
def test_values_come_back_as_django_reads_them_and_json_parsed():
    sql = "SELECT %s::timestamptz, %s::int, %s::text, %s::boolean, %s::text, %s::date, %s::numeric, %s::jsonb"
    when = datetime(2026, 10, 1, 1, 30, tzinfo=UTC)
    params = [when, 7, "供电", True, None, "2026-10-08", Decimal("630.5"), '{"a": [1, "二"]}']
    (row,) = fetch_prepared(sql, params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (django_row,) = cursor.fetchall()
    assert row[:-1] == django_row[:-1]
    assert row[0] == when and row[0].tzinfo is not None
    assert row[-1] == {"a": [1, "二"]}  # Django's cursor leaves jsonb as text; the write path reads a log
    assert fetch_prepared(sql, params) == [row]  # the second run reuses the statement and its loaders


@postgresql_only
@pytest.mark.django_db
def test_a_unique_violation_is_djangos_integrity_error():
    connection.cursor().execute("CREATE TEMPORARY TABLE yekuo_t (k text PRIMARY KEY)")
    sql = "INSERT INTO yekuo_t (k) VALUES (%s) RETURNING k"
    assert fetch_prepared(sql, ["a"]) == [("a",)]
    with pytest.raises(IntegrityError), connection.cursor() as cursor:
        cursor.execute("SAVEPOINT s")
        try:
            fetch_prepared(sql, ["a"])
        finally:
            cursor.execute("ROLLBACK TO SAVEPOINT s")
    assert fetch_prepared(sql, ["b"]) == [("b",)]


@postgresql_only
@pytest.mark.django_db
def test_a_bad_statement_is_djangos_programming_error():
    with pytest.raises(ProgrammingError, match="no_such_table"):
        fetch_prepared("SELECT * FROM no_such_table WHERE id = %s", [1])


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_statements_dropped_on_the_server_are_prepared_again():
    sql = "SELECT %s::int + 1"
    assert fetch_prepared(sql, [1]) == [(2,)]
    connection.cursor().execute("DEALLOCATE ALL")
    assert fetch_prepared(sql, [2]) == [(3,)]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_its_own():
    sql = "SELECT %s::int * 2"
    assert fetch_prepared(sql, [2]) == [(4,)]
    connection.close()
    assert fetch_prepared(sql, [3]) == [(6,)]


@postgresql_only
@pytest.mark.django_db
def test_unprepared_for_a_transaction_pooler_gives_the_same_order(settings, cast):
    """YEKUO_DB_PREPARE=0 (PgBouncer in transaction mode): the same write path through Django's cursor."""
    from yekuo.orders import services, store
    from yekuo.orders.models import EventSource
    from yekuo.workcal.tests.conftest import at

    def lived():
        order = services.order_create(
            actor=cast.clerk, category="lv_resident", channel="counter", customer_name="张三",
            site_address="东区1号", capacity_kva="8", voltage="220V", occurred_at=at("2026-11-02 09:00"),
            customer_phone="13912345678",
            source=EventSource.IMPORT,
        )  # fmt: skip
        services.node_complete(order, actor=cast.clerk, node="acceptance", occurred_at=at("2026-11-02 10:00"),
                               source=EventSource.IMPORT)  # fmt: skip
        read = store.read_order(order.pk)
        return read.order.status, read.order.event_count, [(e.type, e.at, e.payload) for e in read.events]

    prepared = lived()
    settings.YEKUO_DB_PREPARE = False
    assert lived() == prepared


@pytest.mark.parametrize(
    ("model_path", "values"),
    [
        ("yekuo.orders.models.NodeInstance",
         {"code": "acceptance", "position": 0, "role": "acceptance_clerk", "department": "营销服务部",
          "clock_code": "acceptance", "ready_at": datetime(2026, 11, 2, 1, tzinfo=UTC)}),
        ("yekuo.orders.models.Clock",
         {"code": "survey_plan", "position": 1, "nodes": ["survey_plan"], "state": "running",
          "limit_days": Decimal("3.0"), "pauses": [["2026-11-02T01:00:00+00:00", None]],
          "started_at": datetime(2026, 11, 2, 1, tzinfo=UTC)}),
        ("yekuo.orders.models.Suspension", {"position": 0, "reason_id": "customer_request", "evidence_note": "电话"}),
        ("yekuo.orders.models.OrderEvent",
         {"seq": 1, "type": "order.created", "occurred_at": datetime(2026, 11, 2, 1, tzinfo=UTC), "actor_id": None,
          "source": "web", "payload": {"category": "lv_resident"}}),
    ],
)  # fmt: skip
def test_rows_from_values_are_the_rows_of_model_objects(monkeypatch, model_path, values):
    """json_values (a new order's rows, no model objects) writes what json_rows writes for the same objects:
    every other column at its field's default, auto_now_add at the current time."""
    import importlib
    import json

    from django.utils import timezone

    from yekuo.common.db import json_rows, json_values

    module, name = model_path.rsplit(".", 1)
    model = getattr(importlib.import_module(module), name)
    now = datetime(2026, 11, 27, 3, 4, 5, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: now)
    from_values = json.loads(json_values(model, [values], exclude=("order",)))
    from_objects = json.loads(json_rows(model, [model(**values)], exclude=("order",)))
    assert from_values == from_objects
    assert len(from_values[0]) > len(values)  # defaults were filled in


def test_a_default_made_by_a_callable_is_made_for_each_row(monkeypatch):
    """A field whose default is a callable such as uuid4 gets a new value in each row, as a new object would;
    `list` and `dict` defaults are the same JSON every time."""
    import json
    from itertools import count

    from yekuo.common.db import _json_defaults, json_values
    from yekuo.orders.models import OrderEvent

    numbers = count(1)
    field = OrderEvent._meta.get_field("reason")
    monkeypatch.setattr(field, "default", lambda: f"made {next(numbers)}")
    _json_defaults.cache_clear()
    field.__dict__.pop("_get_default", None)  # Django caches how a field makes its default
    try:
        rows = json.loads(json_values(OrderEvent, [{"seq": 1}, {"seq": 2}, {"seq": 3, "reason": "given"}], ("order",)))
    finally:
        _json_defaults.cache_clear()
        field.__dict__.pop("_get_default", None)
    assert [row["reason"] for row in rows] == ["made 2", "made 3", "given"]  # "made 1" went to the cached defaults
    assert [row["payload"] for row in rows] == [{}, {}, {}]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_statement_that_opens_an_atomic_block_is_rolled_back_with_it():
    """psycopg starts Django's transaction with the block's first command; when that command is a prepared
    one, it must start it too, or it would be committed on its own."""
    from django.db import transaction

    connection.cursor().execute("CREATE TEMPORARY TABLE yekuo_t (k text PRIMARY KEY)")
    sql = "INSERT INTO yekuo_t (k) VALUES (%s) RETURNING k"
    with pytest.raises(RuntimeError), transaction.atomic():
        assert fetch_prepared(sql, ["first"]) == [("first",)]  # the first command of the block
        assert fetch_prepared(sql, ["second"]) == [("second",)]  # prepared, inside the block
        raise RuntimeError("the block fails")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM yekuo_t")
        assert cursor.fetchone() == (0,)
    with transaction.atomic():
        fetch_prepared(sql, ["kept"])
    assert fetch_prepared("SELECT k FROM yekuo_t WHERE k = %s", ["kept"]) == [("kept",)]


@postgresql_only
def test_an_action_inside_a_failed_block_leaves_no_event(transactional_db):
    from django.db import transaction

    from yekuo.accounts.testing import make_cast
    from yekuo.common.testing import reload_reference_data
    from yekuo.orders import services
    from yekuo.orders.models import EventSource, OrderEvent
    from yekuo.workcal.tests.conftest import at

    reload_reference_data()  # a transactional test starts from an emptied database
    cast = make_cast()
    order = services.order_create(
        actor=cast.clerk, category="lv_resident", channel="counter", customer_name="张三", site_address="东区1号",
        customer_phone="13912345678",
        capacity_kva="8", voltage="220V", occurred_at=at("2026-11-02 09:00"), source=EventSource.IMPORT,
    )  # fmt: skip
    before = OrderEvent.objects.filter(order=order).count()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.node_complete(order.pk, actor=cast.clerk, node="acceptance", occurred_at=at("2026-11-02 10:00"),
                               source=EventSource.IMPORT)  # fmt: skip
        raise RuntimeError("the request fails after the action")
    assert OrderEvent.objects.filter(order=order).count() == before
