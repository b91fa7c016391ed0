"""Loading an official schedule recomputes every open clock that depends on it (REQUIREMENTS I7)."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from yekuo.orders import services
from yekuo.orders.models import Clock, EventSource
from yekuo.orders.recompute import verify_orders
from yekuo.workcal import services as calendar
from yekuo.workcal.models import CalendarRevision
from yekuo.workcal.tests.conftest import at

BUNDLED_2026 = Path(calendar.__file__).parent / "data" / "2026.txt"


def make_order(cast):
    order = services.order_create(
        actor=cast.clerk, category="hv10_single", channel="counter", customer_name="x", site_address="东区1号",
        customer_phone="13912345678",
        capacity_kva=630, voltage="10kV", occurred_at=at("2026-11-16 09:00"), source=EventSource.IMPORT,
    )  # fmt: skip
    for node, when, actor in [
        ("acceptance", "2026-11-16 10:00", cast.clerk),
        ("survey_plan", "2026-11-17 10:00", cast.customer_manager),
    ]:
        services.node_complete(order, actor=actor, node=node, occurred_at=at(when), source=EventSource.IMPORT)
    services.approval_decide(order, actor=cast.project_manager, low_risk=True, occurred_at=at("2026-11-17 11:00"),
                             source=EventSource.IMPORT)  # fmt: skip
    services.node_complete(order, actor=cast.project_manager, node="approval", occurred_at=at("2026-11-17 15:00"),
                           source=EventSource.IMPORT)  # fmt: skip
    return order


@pytest.mark.django_db(transaction=False)
def test_official_schedule_moves_open_deadlines_and_records_it(cast, tmp_path, django_capture_on_commit_callbacks):
    open_order = make_order(cast)
    works = Clock.objects.get(order=open_order, code="grid_works")
    assert works.deadline_at == at("2026-12-04 15:00")  # 13 working days from 11-17 15:00
    # A (made-up) correction of the 2026 schedule: 2026-12-01 becomes a day off.
    corrected = tmp_path / "2026.txt"
    corrected.write_text(BUNDLED_2026.read_text(encoding="utf-8") + "holiday 2026-12-01 测试调整\n", encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        calendar.calendar_load(corrected, force=True)
    works.refresh_from_db()
    assert works.deadline_at == at("2026-12-07 15:00")  # one working day later, over the weekend
    assert open_order.events.filter(type="calendar.recomputed").count() == 1
    revision = CalendarRevision.objects.get(id=1).token
    assert open_order.events.get(type="calendar.recomputed").payload == {"years": [2026], "calendar": revision}
    assert all(not differences for _, differences in verify_orders())


def _corrected_2026(tmp_path) -> Path:
    """A (made-up) correction of the 2026 schedule: 2026-12-01 becomes a day off."""
    corrected = tmp_path / "2026.txt"
    corrected.write_text(BUNDLED_2026.read_text(encoding="utf-8") + "holiday 2026-12-01 测试调整\n", encoding="utf-8")
    return corrected


def _state(order):
    grid = Clock.objects.get(order=order, code="grid_works")
    return grid.deadline_at, list(order.events.order_by("seq").values_list("type", flat=True))


@pytest.mark.django_db(transaction=False)
def test_a_failure_part_way_leaves_each_order_recomputed_with_its_event_or_untouched(
    cast, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    from yekuo.orders.models import CalendarRecompute
    from yekuo.orders.services import recompute as service

    orders = [make_order(cast) for _ in range(4)]
    untouched = {order.pk: _state(order) for order in orders}
    real, calls = service.write_projection, []

    def fails_on_the_third(order, before, after, events=()):
        written = real(order, before, after, events)  # the rows and the event are written…
        calls.append(order.pk)
        if len(calls) == 3:
            raise RuntimeError("the worker dies on the third order")  # …and then the transaction fails
        return written

    monkeypatch.setattr(service, "write_projection", fails_on_the_third)
    with django_capture_on_commit_callbacks(execute=True):
        calendar.calendar_load(_corrected_2026(tmp_path), force=True)  # the job runs (tasks are immediate)
    job = CalendarRecompute.objects.get(token=CalendarRevision.objects.get(id=1).token)
    assert job.finished_at is None and "the worker dies on the third order" in job.error
    assert (job.done, job.moved, job.last_order_id) == (2, 2, orders[1].pk)
    for order in orders[:2]:  # recomputed, each with its event
        deadline, events = _state(order)
        assert deadline == at("2026-12-07 15:00") and events[-1] == "calendar.recomputed"
    for order in orders[2:]:  # untouched, the third one included: its write was rolled back whole
        assert _state(order) == untouched[order.pk]

    monkeypatch.setattr(service, "write_projection", real)
    out = StringIO()
    call_command("orders", "recompute", stdout=out, stderr=StringIO())  # resumes after the last order done
    assert "4 order(s) recomputed, 4 moved" in out.getvalue()
    for order in orders:
        deadline, events = _state(order)
        assert deadline == at("2026-12-07 15:00") and events.count("calendar.recomputed") == 1
    job.refresh_from_db()
    assert job.finished_at is not None and job.error == ""
    assert all(not differences for _, differences in verify_orders())
    # Idempotent: running the finished job again, or the same order again, records nothing more.
    call_command("orders", "recompute", stdout=StringIO())
    assert service.order_recompute(orders[0].pk, job) is False
    assert _state(orders[0])[1].count("calendar.recomputed") == 1


def test_calendar_load_waits_for_the_recompute_and_prints_its_progress(transactional_db, tmp_path):
    from yekuo.accounts.testing import make_cast
    from yekuo.common.testing import reload_reference_data

    reload_reference_data()  # committed for real: the load's commit sends the signal that queues the job
    cast = make_cast()
    orders = [make_order(cast) for _ in range(2)]
    out, err = StringIO(), StringIO()
    call_command("calendar", "load", str(_corrected_2026(tmp_path)), "--force", stdout=out, stderr=err)
    assert '"year": 2026' in out.getvalue()
    assert "recomputing open clocks: 2/2 orders done, 2 moved" in err.getvalue()
    assert all(_state(order)[0] == at("2026-12-07 15:00") for order in orders)


@pytest.mark.django_db(transaction=False)
def test_a_job_no_worker_takes_is_run_by_the_waiting_command(cast):
    from yekuo.orders.models import CalendarRecompute
    from yekuo.orders.recompute import wait_for_recompute

    order = make_order(cast)
    job = CalendarRecompute.objects.create(token="queued-but-no-worker", years=[2026])  # never started
    reports = []
    finished = wait_for_recompute(job, lambda j: reports.append((j.done, j.total)), start_within=0, poll=0)
    assert finished.finished_at is not None and (finished.done, finished.total) == (1, 1)
    assert reports[0] == (0, 0) and reports[-1] == (1, 1)
    assert not order.events.filter(type="calendar.recomputed").exists()  # the calendar did not change: no write
