"""Return visits (R11): the month's plan (all, or a reproducible sample), the record of a visit, the customer's
own rating as a visit by app, the follow-up of problems, and the month's summary per branch."""

import pytest

from yekuo.common.errors import InvalidInput, YekuoError
from yekuo.orders.models import WorkOrder
from yekuo.visits import services
from yekuo.visits.models import Visit, VisitProblem
from yekuo.visits.selectors import month_summary
from yekuo.visits.services import Outcome, plan_month, record_visit
from yekuo.visits.tests.conftest import create, energize, rate

pytestmark = pytest.mark.django_db


def test_the_plan_holds_the_orders_energized_in_the_month(cast):
    inside = [energize(cast, "2026-11-02"), energize(cast, "2026-11-30", branch="west")]
    energize(cast, "2026-10-30")  # October
    create(cast, "2026-11-03 09:00")  # not energized
    result = plan_month("2026-11")
    assert result.energized == 2 and result.added == 2 and result.planned == 2
    assert set(Visit.objects.filter(month="2026-11").values_list("order_id", flat=True)) == {o.pk for o in inside}
    assert result.by_branch == {"east": 1, "west": 1}
    # Each is assigned to the customer service center's visitor (the dispatcher role).
    assert set(Visit.objects.values_list("assignee__username", flat=True)) == {"dispatcher"}
    # Planning again changes nothing.
    again = plan_month("2026-11")
    assert again.added == 0 and again.removed == 0 and again.planned == 2


def test_a_month_cut_in_shanghai_time(cast):
    # 2026-12-01 00:30 in Shanghai is 2026-11-30 16:30 UTC: December's, not November's.
    energize(cast, "2026-11-30", times=("09:30", "11:00", "16:00", "17:00"))
    assert plan_month("2026-11").energized == 1
    assert plan_month("2026-12").energized == 0


def test_the_sample_is_reproducible_and_per_branch_and_category(cast):
    days = ["2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05", "2026-11-06"]
    for day in days:
        energize(cast, day)
        energize(cast, day, branch="west")
    first = plan_month("2026-11", sample=2)
    chosen = set(Visit.objects.values_list("order__number", flat=True))
    assert first.energized == 10 and first.planned == 4 and first.by_branch == {"east": 2, "west": 2}
    Visit.objects.all().delete()
    plan_month("2026-11", sample=2)
    assert set(Visit.objects.values_list("order__number", flat=True)) == chosen  # the same orders again
    # The sample is the first of each group by the hash of number and month.
    numbers = list(WorkOrder.objects.filter(branch=cast.east).values_list("number", flat=True))
    ranked = sorted(numbers, key=lambda n: services.sample_key(n, "2026-11"))
    assert set(Visit.objects.filter(branch=cast.east).values_list("order__number", flat=True)) == set(ranked[:2])
    # A bigger sample keeps the first and adds; a smaller one drops only visits not yet made.
    assert plan_month("2026-11", sample=3).added == 2
    kept = Visit.objects.filter(branch=cast.east, order__number=ranked[2]).get()  # in the sample of 3, not of 1
    record_visit(kept, Outcome("phone", False), actor=cast.dispatcher)
    result = plan_month("2026-11", sample=1)
    assert result.planned == 3 and Visit.objects.filter(pk=kept.pk).exists()


def test_refused_sample_and_month():
    with pytest.raises(InvalidInput) as refused:
        plan_month("2026-13")
    assert refused.value.field == "month"
    with pytest.raises(InvalidInput):
        plan_month("2026-11", sample=0)


def test_a_branch_user_plans_only_their_branch(cast):
    energize(cast, "2026-11-02")
    energize(cast, "2026-11-02", branch="west")
    assert plan_month("2026-11", actor=cast.department_manager).planned == 2
    Visit.objects.all().delete()
    with pytest.raises(YekuoError) as refused:
        plan_month("2026-11", actor=cast.clerk)
    assert refused.value.code == "forbidden"


def test_recording_a_visit_with_a_time_disagreement_and_problems(cast):
    order = energize(cast, "2026-11-02")
    plan_month("2026-11")
    visit = Visit.objects.get(order=order)
    outcome = Outcome("phone", True, 4, time_agrees=False, time_node="survey_plan", time_offset_days=-2,
                      problems=[("repeat_visits", "要求两次补交资料")], note="客户称勘察提前两天")  # fmt: skip
    record_visit(visit, outcome, actor=cast.dispatcher)
    visit.refresh_from_db()
    assert (visit.reached, visit.satisfaction, visit.time_node, visit.time_offset_days) == (True, 4, "survey_plan", -2)
    assert visit.attempts == 1 and visit.recorded_by == cast.dispatcher
    assert list(visit.problems.values_list("category_id", flat=True)) == ["repeat_visits"]
    # The same outcome again (an import read twice) adds no second problem.
    record_visit(visit, outcome, actor=cast.dispatcher)
    assert visit.problems.count() == 1


@pytest.mark.parametrize(
    ("outcome", "field"),
    [
        (Outcome("fax", True, 3), "channel"),
        (Outcome("phone", True, None), "satisfaction"),
        (Outcome("phone", True, 6), "satisfaction"),
        (Outcome("phone", False, 3), "reached"),
        (Outcome("phone", True, 3, time_agrees=False, time_node="nowhere", time_offset_days=1), "time_node"),
        (Outcome("phone", True, 3, time_agrees=False, time_node="survey_plan", time_offset_days=0), "time_offset_days"),
        (Outcome("phone", True, 3, problems=[("nonsense", "")]), "problems"),
    ],
)
def test_an_invalid_outcome_names_its_field(cast, outcome, field):
    order = energize(cast, "2026-11-02")
    plan_month("2026-11")
    with pytest.raises(InvalidInput) as refused:
        record_visit(Visit.objects.get(order=order), outcome, actor=cast.dispatcher)
    assert refused.value.field == field


def test_out_of_scope_and_without_the_right(cast):
    order = energize(cast, "2026-11-02", branch="west")
    plan_month("2026-11")
    visit = Visit.objects.get(order=order)
    with pytest.raises(YekuoError) as refused:
        record_visit(visit, Outcome("phone", False), actor=cast.branch_manager)  # may not record
    assert refused.value.code == "forbidden"
    with pytest.raises(YekuoError) as refused:
        record_visit(visit, Outcome("phone", False), actor=cast.department_manager)  # may view, not record
    assert refused.value.code == "forbidden"


def test_the_customers_rating_is_a_visit_by_app(cast):
    rated, called = energize(cast, "2026-11-02"), energize(cast, "2026-11-03")
    outside = energize(cast, "2026-11-04")
    rate(rated, 5, "很快")
    plan_month("2026-11", sample=None)
    visit = Visit.objects.get(order=rated)
    assert (visit.channel, visit.reached, visit.satisfaction, visit.note, visit.source) == (
        "app",
        True,
        5,
        "很快",
        "customer",
    )
    # A visitor's record stands against a later rating; an order outside the sample joins the plan when rated.
    record_visit(Visit.objects.get(order=called), Outcome("phone", True, 3), actor=cast.dispatcher)
    rate(called, 1)
    Visit.objects.filter(order=outside).delete()
    rate(outside, 2)
    assert services.absorb_ratings("2026-11") == 1
    assert Visit.objects.get(order=called).satisfaction == 3
    assert Visit.objects.get(order=outside).sampled is False
    assert services.absorb_ratings("2026-11") == 0  # idempotent


def test_follow_up_to_closure(cast):
    order = energize(cast, "2026-11-02")
    plan_month("2026-11")
    visit = record_visit(Visit.objects.get(order=order), Outcome("phone", True, 2, problems=[("slow", "")]),
                         actor=cast.dispatcher)  # fmt: skip
    problem = VisitProblem.objects.get(visit=visit)
    services.follow_up(problem, actor=cast.branch_manager, action="已联系客户说明原因")
    services.follow_up(problem, actor=cast.branch_manager, action="已整改并回复客户", closes=True)
    problem.refresh_from_db()
    assert problem.closed_at is not None and problem.follow_ups.count() == 2
    with pytest.raises(InvalidInput):
        services.follow_up(problem, actor=cast.branch_manager, action="再次处理")
    with pytest.raises(YekuoError) as refused:  # west's manager cannot see east's problem
        services.follow_up(VisitProblem.objects.create(visit=visit, category_id="other", found_at=visit.visited_at),
                           actor=cast.west_branch_manager, action="x")  # fmt: skip
    assert refused.value.code == "not_found"


def test_month_summary_per_branch(cast):
    a, b, c = (energize(cast, d) for d in ("2026-11-02", "2026-11-03", "2026-11-04"))
    energize(cast, "2026-11-05", branch="west")
    plan_month("2026-11")
    record_visit(Visit.objects.get(order=a), Outcome("phone", True, 5, time_agrees=True), actor=cast.dispatcher)
    record_visit(
        Visit.objects.get(order=b),
        Outcome("sms", True, 2, time_agrees=False, time_node="grid_works", time_offset_days=3,
                problems=[("slow", ""), ("fees", "收了设计费")]),
        actor=cast.dispatcher,
    )  # fmt: skip
    record_visit(Visit.objects.get(order=c), Outcome("phone", False), actor=cast.dispatcher)
    rows = month_summary("2026-11")
    assert rows == [
        {"branch": "east", "planned": 3, "visited": 3, "reached": 2, "reach_rate": 0.6667, "satisfaction_mean": 3.5,
         "time_disagreements": 1, "disagreement_rate": 0.5, "problems": {"fees": 1, "slow": 1}},
        {"branch": "west", "planned": 1, "visited": 0, "reached": 0, "reach_rate": None, "satisfaction_mean": None,
         "time_disagreements": 0, "disagreement_rate": None, "problems": {}},
    ]  # fmt: skip
    assert month_summary("2026-10") == []


def test_the_nightly_task_takes_in_the_ratings(cast, monkeypatch):
    from datetime import date

    from yekuo.visits import tasks

    order = energize(cast, "2026-11-30")
    rate(order, 4)
    monkeypatch.setattr(tasks.timezone, "localdate", lambda: date(2026, 12, 1))
    assert tasks.absorb_ratings_nightly.call_local() == 1
    assert Visit.objects.get(order=order).satisfaction == 4
