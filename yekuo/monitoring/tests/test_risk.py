"""Breach risk (O12, docs/breach-risk.md) on synthetic histories whose answers are known."""

import numpy as np
import pytest

from yekuo.monitoring.risk import MIN_AT_RISK, P_MIN, SHRINK_K, kaplan_meier, prior_probability, probability, shrunk

RAW = {"k": 0, "p_min": 0}  # the Kaplan–Meier ratio itself, without shrinkage or bounds


def test_without_censoring_it_is_the_share_of_the_slower_ones_that_were_late():
    # Ratios 0.1, 0.2, …, 2.0 (20 clocks, all finished): 10 were late (> 1).
    ratios = [i / 10 for i in range(1, 21)]
    curve = kaplan_meier(ratios, [True] * 20)
    assert curve.s(1.0) == pytest.approx(0.5)
    assert probability(0.0, [curve], min_at_risk=1, **RAW) == (pytest.approx(0.5), "branch")
    # Of the 15 that used more than 0.5, 10 were late.
    assert probability(0.5, [curve], min_at_risk=1, **RAW)[0] == pytest.approx(10 / 15)
    assert probability(0.95, [curve], min_at_risk=1, **RAW)[0] == pytest.approx(10 / 11)
    assert probability(1.2, [curve], min_at_risk=1, **RAW) == (1.0, "overdue")


def test_running_clocks_are_censored_not_counted_as_on_time():
    # 10 finished at 0.5, 10 finished at 1.5, and 10 still running at 0.8: the running ones carry no
    # verdict: Kaplan–Meier lets them behave like the clocks that got past 0.8, all of which were late, so
    # 20 of the 30 are expected late (not 10 of 20 finished, nor 10 of 30).
    ratios = [0.5] * 10 + [1.5] * 10 + [0.8] * 10
    finished = [True] * 20 + [False] * 10
    curve = kaplan_meier(ratios, finished)
    assert curve.s(0.6) == pytest.approx(2 / 3)  # 10 of the 30 at risk finished at 0.5
    assert curve.s(1.0) == pytest.approx(2 / 3)  # no finish between 0.5 and 1.5
    assert probability(0.9, [curve], min_at_risk=1, **RAW)[0] == pytest.approx(1.0)
    assert probability(0.3, [curve], min_at_risk=1, **RAW)[0] == pytest.approx(2 / 3)


def test_a_known_distribution_is_recovered():
    # Used ratio ~ exponential with mean 0.8: P(R > 1 | R > x) = exp(-(1 - x) / 0.8).
    rng = np.random.default_rng(7)
    ratios = rng.exponential(0.8, 20000)
    curve = kaplan_meier(ratios, np.ones_like(ratios, dtype=bool))
    for x in (0.0, 0.3, 0.6, 0.9):
        assert probability(x, [curve], **RAW)[0] == pytest.approx(np.exp(-(1 - x) / 0.8), abs=0.02)


def test_too_little_history_falls_back_to_the_company_then_to_the_limit():
    branch = kaplan_meier([0.5, 1.5], [True, True])  # 2 clocks: too few
    company = kaplan_meier([0.5] * MIN_AT_RISK + [1.5] * MIN_AT_RISK, [True] * (2 * MIN_AT_RISK))
    assert probability(0.2, [branch, company], **RAW) == (pytest.approx(0.5), "company")
    # Past 0.5 the company has only MIN_AT_RISK clocks that reached it: still enough.
    assert probability(0.7, [branch, company], **RAW) == (pytest.approx(1.0), "company")
    assert probability(0.2, [branch, None]) == (pytest.approx(prior_probability(0.2)), "limit")
    assert probability(0.2, []) == (pytest.approx(1 / 1.8), "limit")


def test_the_estimate_is_shrunk_toward_the_prior_by_how_many_clocks_reached_x():
    # 20 finished at 0.5, 20 at 1.5: at x = 0.7, 20 clocks reached it and all were late (p̂ = 1); the prior
    # 1 / (2 − 0.7) weighs as k clocks.
    curve = kaplan_meier([0.5] * 20 + [1.5] * 20, [True] * 40)
    p0 = prior_probability(0.7)
    assert probability(0.7, [curve], k=20)[0] == pytest.approx((20 * 1.0 + 20 * p0) / 40)
    assert probability(0.7, [curve], k=0, p_min=0)[0] == pytest.approx(1.0)
    # At x = 0.2 all 40 reached it: p̂ = 1/2, pulled less.
    assert probability(0.2, [curve], k=20)[0] == pytest.approx((40 * 0.5 + 20 * prior_probability(0.2)) / 60)
    # The more clocks, the closer to p̂: 2,000 at 0.5 and 2,000 at 1.5.
    many = kaplan_meier([0.5] * 2000 + [1.5] * 2000, [True] * 4000)
    assert probability(0.2, [many])[0] == pytest.approx(0.5, abs=0.005)
    assert shrunk(0.3, 0, 0.6, k=10) == pytest.approx(0.6)
    assert shrunk(0.3, 10, 0.6, k=0) == pytest.approx(0.3)


def test_a_running_clock_within_its_limit_is_never_certain():
    # Every clock of the history finished on time at 0.5: the raw estimate past 0.5 has no clock (the limit's
    # prior), before it S(1) = 0 — shrinkage and the bounds keep it off 0.
    on_time = kaplan_meier([0.5] * 1000, [True] * 1000)
    p, basis = probability(0.3, [on_time])
    assert basis == "branch" and P_MIN <= p < 0.05
    assert probability(0.3, [on_time], k=0)[0] == P_MIN
    late = kaplan_meier([1.5] * 1000, [True] * 1000)
    assert probability(0.99, [late], k=0)[0] == 1 - P_MIN
    assert probability(1.0, [])[0] == 1 - P_MIN  # at its deadline, not yet past it
    assert probability(1.01, [on_time]) == (1.0, "overdue")
    assert SHRINK_K > 0


def test_the_prior_takes_the_limit_as_the_median():
    assert prior_probability(0.0) == pytest.approx(0.5)
    assert prior_probability(0.5) == pytest.approx(2 / 3)
    assert prior_probability(1.0) == 1.0


def test_no_history_at_all():
    curve = kaplan_meier([], [])
    assert curve.total == 0 and curve.s(0.5) == 1.0
    assert probability(0.5, [curve])[1] == "limit"


@pytest.mark.django_db
def test_the_stored_risk_comes_from_the_branch_history(cast):
    """20 acceptances in September, half done in 120 of their 210 minutes and half the next day (late), and
    one running past its limit now (late for certain): an acceptance that has used 60 minutes is late with
    probability S(1) / S(0.29) = (11/21) / 1 — 10 of the 21 at risk at 0.57 finished then — before shrinkage."""
    from django.core.cache import cache

    from yekuo.monitoring.models import BreachRisk
    from yekuo.monitoring.risk import refresh_risks
    from yekuo.monitoring.tests.conftest import complete, create
    from yekuo.workcal.tests.conftest import at

    cache.clear()
    for i in range(20):
        order = create(cast, "2026-09-01 09:00")
        complete(cast, order, "acceptance", "2026-09-01 11:00" if i % 2 else "2026-09-02 10:00")
    running = create(cast, "2026-11-02 09:00")
    late = create(cast, "2026-10-30 09:00")  # past its limit: certain
    assert refresh_risks(at("2026-11-02 10:00")) == 22
    risk = BreachRisk.objects.get(order=running, clock="acceptance")
    # 21 clocks reached 0.29, shrunk toward the prior 1 / (2 − 0.29) with weight SHRINK_K.
    expected = (21 * 11 / 21 + SHRINK_K * prior_probability(risk.used_ratio)) / (21 + SHRINK_K)
    assert (risk.probability, risk.basis) == (pytest.approx(expected, abs=1e-3), "branch")
    assert risk.used_ratio == pytest.approx(60 / 210, abs=1e-3)
    assert BreachRisk.objects.get(order=late).probability == 1.0
    cache.clear()
