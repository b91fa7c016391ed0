"""每日在途统计 stored per day (R10): idempotent re-runs, back-fill, the flows of each window, the day's
overdue-warning list and its notice to branch managers."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from yekuo.monitoring.daily import (
    ALARM_DAYS_KEPT,
    alarm_list,
    day_window,
    notify_branch_managers,
    store_day,
    store_days,
    stored_alarms,
)
from yekuo.monitoring.models import DailyAlarm, DailyCount, DailyFlow, DailySnapshot
from yekuo.monitoring.tests.conftest import create
from yekuo.orders import services
from yekuo.orders.models import EventSource, WorkOrder
from yekuo.workcal.tests.conftest import at

IMPORT = EventSource.IMPORT
pytestmark = pytest.mark.django_db


def cells(stored) -> set:
    return set(stored.counts.values_list("branch__code", "category", "node", "state", "count"))


def test_the_window_runs_from_the_previous_days_start_to_this_ones(cast):
    assert day_window("cast", date(2026, 11, 3)) == (at("2026-11-02 08:30"), at("2026-11-03 08:30"))
    # Monday: from Sunday's midnight (a day off) to Monday's first office hour.
    assert day_window("cast", date(2026, 11, 9)) == (at("2026-11-08 00:00"), at("2026-11-09 08:30"))


def test_a_day_is_stored_as_of_its_start_with_its_flows(cast):
    create(cast, "2026-11-02 09:00")  # overdue at 15:00 on the 2nd
    done = create(cast, "2026-11-02 10:00", category="lv_resident", voltage="220V", capacity_kva=8)
    for node, when in [("acceptance", "2026-11-02 10:30"), ("survey_plan", "2026-11-02 11:00"),
                       ("grid_works", "2026-11-02 16:00"), ("contract_energize", "2026-11-02 17:00")]:  # fmt: skip
        role = done.nodes.get(code=node).role
        actor = {"acceptance_clerk": cast.clerk, "customer_manager": cast.customer_manager}.get(
            role, cast.project_manager
        )
        services.node_complete(done, actor=actor, node=node, occurred_at=at(when), source=IMPORT)
    stored = store_day(cast.company, date(2026, 11, 3))
    assert stored.at == at("2026-11-03 08:30")
    assert cells(stored) == {("east", "lv_business", "acceptance", "overdue", 1)}
    flows = {(f.category, f.new, f.completed, f.newly_overdue) for f in stored.flows.all()}
    assert flows == {("lv_business", 1, 0, 1), ("lv_resident", 1, 1, 0)}
    # The day before: nothing yet (both created after its instant, 08:30 on the 2nd).
    assert cells(store_day(cast.company, date(2026, 11, 2))) == set()


def test_re_running_a_date_replaces_that_date_only(cast):
    create(cast, "2026-11-02 09:00")
    first = [s for s in store_days(date(2026, 11, 4), days=3) if s.company == cast.company]
    assert [s.date for s in first] == [date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4)]
    before = {s.date: (s.pk, s.computed_at, cells(s)) for s in DailySnapshot.objects.filter(company=cast.company)}
    again = store_day(cast.company, date(2026, 11, 3))
    after = {s.date: (s.pk, s.computed_at, cells(s)) for s in DailySnapshot.objects.filter(company=cast.company)}
    assert (
        after[date(2026, 11, 2)] == before[date(2026, 11, 2)] and after[date(2026, 11, 4)] == before[date(2026, 11, 4)]
    )
    assert after[date(2026, 11, 3)][2] == before[date(2026, 11, 3)][2] and again.pk != before[date(2026, 11, 3)][0]
    assert DailySnapshot.objects.filter(company=cast.company).count() == 3
    assert DailyCount.objects.filter(snapshot__date=date(2026, 11, 3)).count() == 1
    assert DailyFlow.objects.filter(snapshot__date=date(2026, 11, 3)).count() == 1


def test_back_fill_sees_the_past_as_the_log_had_it(cast):
    order = create(cast, "2026-11-02 09:00")
    services.node_complete(
        order, actor=cast.clerk, node="acceptance", occurred_at=at("2026-11-04 10:00"), source=IMPORT
    )
    out = StringIO()
    call_command("monitor", "daily", "--date", "2026-11-05", "--days", "3", stdout=out)
    assert "cast 2026-11-03: 1 active nodes" in out.getvalue()
    by_day = {s.date: cells(s) for s in DailySnapshot.objects.filter(company=cast.company)}
    assert by_day[date(2026, 11, 3)] == {("east", "lv_business", "acceptance", "overdue", 1)}
    # The survey (1 day = 420 min) from 10:00 on the 4th has used 330 minutes (79 %) by 08:30 on the 5th.
    assert by_day[date(2026, 11, 5)] == {("east", "lv_business", "survey_plan", "warning", 1)}


def test_the_overdue_warning_list_and_the_notice(cast):
    create(cast, "2026-11-02 09:00")
    create(cast, "2026-11-02 09:00", site_address="西区北区路2号", actor=cast.west_clerk)
    create(cast, "2026-11-03 08:40")  # in warning at 11:37 on the 3rd, not at 08:30
    rows = alarm_list(at("2026-11-03 08:30"), WorkOrder.objects.all())
    assert [(r.branch.code, r.node, r.state) for r in rows] == [
        ("east", "acceptance", "overdue"),
        ("west", "acceptance", "overdue"),
    ]
    sent = []
    counts = notify_branch_managers(date(2026, 11, 3), send=lambda *args: sent.append(args))
    assert counts == {"east": 1, "west": 1}
    assert {(user.username, link) for user, _s, _b, link in sent} == {
        (cast.branch_manager.username, "/monitoring/alarms/?date=2026-11-03&branch=east"),
        (cast.west_branch_manager.username, "/monitoring/alarms/?date=2026-11-03&branch=west"),
    }
    assert "超期 1 项" in sent[0][1]


def test_the_morning_job_stores_today_once_and_tells_the_managers(cast, settings):
    from unittest import mock

    from yekuo.monitoring.models import InboxMessage
    from yekuo.monitoring.tasks import daily_statistics

    create(cast, "2026-11-02 09:00")
    with mock.patch("django.utils.timezone.now", return_value=at("2026-11-03 09:05")):
        assert daily_statistics.call_local() == 2  # both companies of the cast (one has no order)
        assert daily_statistics.call_local() == 0  # already stored
    assert DailySnapshot.objects.filter(company=cast.company, date=date(2026, 11, 3)).count() == 1
    notice = InboxMessage.objects.get(user=cast.branch_manager)
    assert notice.link == "/monitoring/alarms/?date=2026-11-03&branch=east" and "超期 1 项" in notice.title


def test_the_stored_list_is_the_computed_one(cast):
    create(cast, "2026-11-02 09:00")
    create(cast, "2026-11-02 09:00", site_address="西区北区路2号", actor=cast.west_clerk)
    later = create(cast, "2026-11-02 09:00")
    services.node_complete(
        later, actor=cast.clerk, node="acceptance", occurred_at=at("2026-11-04 10:00"), source=IMPORT
    )
    # The 3rd: `later` has an event after the instant (replayed from its log); the 5th: all read from their rows,
    # `later` in warning at its survey.
    for day, states in [(date(2026, 11, 3), {"overdue"}), (date(2026, 11, 5), {"overdue", "warning"})]:
        stored = store_day(cast.company, day)
        listed = [(a.branch.code, a.order_id, a.node, a.state, a.deadline_at, a.warn_at) for a in stored_alarms(stored)]
        computed = alarm_list(stored.at, WorkOrder.objects.filter(branch__company=cast.company))
        assert stored.alarms_stored and {r[3] for r in listed} == states
        assert listed == [(r.branch.code, r.order.pk, r.node, r.state, r.deadline_at, r.warn_at) for r in computed]
    # Re-running a day replaces its list; a list older than ALARM_DAYS_KEPT days goes, its counts stay.
    store_day(cast.company, date(2026, 11, 5))
    assert DailyAlarm.objects.filter(snapshot__date=date(2026, 11, 5)).count() == 3
    store_day(cast.company, date(2026, 11, 3) + timedelta(days=ALARM_DAYS_KEPT))
    old = DailySnapshot.objects.get(company=cast.company, date=date(2026, 11, 3))
    assert not old.alarms_stored and not old.alarms.exists() and old.counts.exists()
