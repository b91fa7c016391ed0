"""Breach risk (O12, docs/breach-risk.md) on synthetic histories whose answers are known."""

import numpy as np
import pytest

from yekuo.monitoring.risk import MIN_AT_RISK, kaplan_meier, prior_probability, probability


def test_without_censoring_it_is_the_share_of_the_slower_ones_that_were_late():
    # Ratios 0.1, 0.2, …, 2.0 (20 clocks, all finished): 10 were late (> 1).
    ratios = [i / 10 for i in range(1, 21)]
    curve = kaplan_meier(ratios, [True] * 20)
    assert curve.s(1.0) == pytest.approx(0.5)
    assert probability(0.0, [curve], min_at_risk=1) == (pytest.approx(0.5), "branch")
    # Of the 15 that used more than 0.5, 10 were late.
    assert probability(0.5, [curve], min_at_risk=1)[0] == pytest.approx(10 / 15)
    assert probability(0.95, [curve], min_at_risk=1)[0] == pytest.approx(10 / 11)
    assert probability(1.2, [curve], min_at_risk=1) == (1.0, "overdue")


def test_running_clocks_are_censored_not_counted_as_on_time():
    # 10 finished at 0.5, 10 finished at 1.5, and 10 still running at 0.8: the running ones carry no
    # verdict: Kaplan–Meier lets them behave like the clocks that got past 0.8, all of which were late, so
    # 20 of the 30 are expected late (not 10 of 20 finished, nor 10 of 30).
    ratios = [0.5] * 10 + [1.5] * 10 + [0.8] * 10
    finished = [True] * 20 + [False] * 10
    curve = kaplan_meier(ratios, finished)
    assert curve.s(0.6) == pytest.approx(2 / 3)  # 10 of the 30 at risk finished at 0.5
    assert curve.s(1.0) == pytest.approx(2 / 3)  # no finish between 0.5 and 1.5
    assert probability(0.9, [curve], min_at_risk=1)[0] == pytest.approx(1.0)
    assert probability(0.3, [curve], min_at_risk=1)[0] == pytest.approx(2 / 3)


def test_a_known_distribution_is_recovered():
    # Used ratio ~ exponential with mean 0.8: P(R > 1 | R > x) = exp(-(1 - x) / 0.8).
    rng = np.random.default_rng(7)
    ratios = rng.exponential(0.8, 20000)
    curve = kaplan_meier(ratios, np.ones_like(ratios, dtype=bool))
    for x in (0.0, 0.3, 0.6, 0.9):
        assert probability(x, [curve])[0] == pytest.approx(np.exp(-(1 - x) / 0.8), abs=0.02)


def test_too_little_history_falls_back_to_the_company_then_to_the_limit():
    branch = kaplan_meier([0.5, 1.5], [True, True])  # 2 clocks: too few
    company = kaplan_meier([0.5] * MIN_AT_RISK + [1.5] * MIN_AT_RISK, [True] * (2 * MIN_AT_RISK))
    assert probability(0.2, [branch, company]) == (pytest.approx(0.5), "company")
    # Past 0.5 the company has only MIN_AT_RISK clocks that reached it: still enough.
    assert probability(0.7, [branch, company]) == (pytest.approx(1.0), "company")
    assert probability(0.2, [branch, None]) == (pytest.approx(prior_probability(0.2)), "limit")
    assert probability(0.2, []) == (pytest.approx(1 / 1.8), "limit")


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
    probability S(1) / S(0.29) = (11/21) / 1 — 10 of the 21 at risk at 0.57 finished then."""
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
    assert (risk.probability, risk.basis) == (pytest.approx(11 / 21, abs=1e-4), "branch")
    assert risk.used_ratio == pytest.approx(60 / 210, abs=1e-3)
    assert BreachRisk.objects.get(order=late).probability == 1.0
    cache.clear()
