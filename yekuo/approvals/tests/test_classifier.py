"""R6 (notice §2 ¶1): each criterion at its boundary, the important places by date, the I8 limits."""

from dataclasses import replace
from datetime import date

import pytest

from yekuo.approvals.classifier import classify
from yekuo.approvals.facts import Facts
from yekuo.approvals.loader import load_file
from yekuo.approvals.tests.conftest import BUNDLED, LOW_RISK

ON = date(2026, 12, 1)


@pytest.fixture(scope="module")
def rules():
    return load_file(BUNDLED)[0]


@pytest.fixture(scope="module")
def base() -> Facts:
    return Facts(**LOW_RISK)


def result(classification, criterion: str):
    return next(r for r in classification.results if r.criterion == criterion)


def test_all_criteria_met_is_low_risk_with_one_result_each(rules, base):
    decided = classify(base, rules, ON)
    assert decided.low_risk is True and decided.rule_set == "ordos-2022-64-lowrisk"
    assert [r.criterion for r in decided.results] == [
        "voltage",
        "excavation",
        "no_obstacle",
        "single_function",
        "simple_technique",
        "off_important_places",
    ]
    assert all(r.passed and r.reason.endswith("）") and ": met (" in r.reason_en for r in decided.results)
    assert all(r.clause.startswith("鄂电营销〔2022〕64号 二、") for r in decided.results)


@pytest.mark.parametrize(("voltage", "low_risk"), [(0.4, True), (10, True), (10.5, False), (20, False), (35, False)])
def test_voltage_at_most_10_kv(rules, base, voltage, low_risk):
    decided = classify(replace(base, voltage_kv=voltage), rules, ON)
    voltage_result = result(decided, "voltage")
    assert (decided.low_risk, voltage_result.passed) == (low_risk, low_risk)
    assert (voltage_result.value, voltage_result.threshold) == (voltage, 10)


@pytest.mark.parametrize(("length", "low_risk"), [(0, True), (500, True), (500.4, False), (501, False)])
def test_excavation_at_most_500_m(rules, base, length, low_risk):
    decided = classify(replace(base, excavation_m=length), rules, ON)
    assert decided.low_risk is low_risk and result(decided, "excavation").passed is low_risk


def test_reasons_say_the_value_and_the_threshold(rules, base):
    decided = classify(replace(base, excavation_m=501, voltage_kv=35), rules, ON)
    excavation = result(decided, "excavation")
    assert excavation.reason == "开挖（下穿、上跨）道路、破绿长度不超过500米：不符合（501 m，超过 500 m）"
    assert excavation.reason_en.endswith(": not met (501 m > 500 m)")
    assert result(decided, "voltage").reason == "供电电压在10千伏及以下：不符合（35 kV，超过 10 kV）"
    # The others still pass: every criterion is judged, not only up to the first failure.
    assert [r.passed for r in decided.results] == [False, False, True, True, True, True]


@pytest.mark.parametrize(
    ("fact", "value", "criterion"),
    [
        ("obstacles", True, "no_obstacle"),
        ("single_function", False, "single_function"),
        ("simple_technique", False, "simple_technique"),
        ("touches_important_street", True, "off_important_places"),
    ],
)
def test_each_yes_no_criterion_alone_makes_it_not_low_risk(rules, base, fact, value, criterion):
    decided = classify(replace(base, **{fact: value}), rules, ON)
    assert decided.low_risk is False
    assert [r.criterion for r in decided.results if not r.passed] == [criterion]
    assert "不符合" in result(decided, criterion).reason


def test_an_obstacle_is_shown_as_stated(rules, base):
    failed = result(classify(replace(base, obstacles=True), rules, ON), "no_obstacle")
    assert (failed.value, failed.threshold) == (True, False)
    assert failed.reason == "中间没有障碍物：不符合（申报“中间有障碍物”：是）"
    assert failed.reason_en == "No obstacle in between: not met (stated “an obstacle in between”: yes)"


@pytest.fixture(scope="module")
def placed(rules):
    """The bundled criteria with two listed places (see conftest.PLACES)."""
    import tomllib

    from yekuo.approvals.loader import build_spec
    from yekuo.approvals.tests.conftest import PLACES

    data = tomllib.loads(BUNDLED.read_text(encoding="utf-8") + PLACES)
    return build_spec(data, "test")


def test_route_on_a_listed_street_is_not_low_risk(placed, base):
    decided = classify(replace(base, route=("纬三路", "鄂尔多斯大街")), placed, ON)
    places = result(decided, "off_important_places")
    assert decided.low_risk is False and places.value is True and not places.passed
    assert places.places == (
        {"name": "鄂尔多斯大街", "kind": "street", "route_name": "鄂尔多斯大街", "listed_from": "2022-07-17"},
    )
    assert "路径经过重要街路鄂尔多斯大街（2022-07-17起列入）" in places.reason
    assert "the route passes 鄂尔多斯大街 (street, listed from 2022-07-17)" in places.reason_en


def test_route_names_match_by_alias_and_ignore_width_and_spaces(placed, base):
    decided = classify(replace(base, route=("鄂尔多斯大街 康巴什段",)), placed, ON)
    assert decided.low_risk is False
    assert result(decided, "off_important_places").places[0]["route_name"] == "鄂尔多斯大街 康巴什段"


def test_a_place_listed_from_a_later_date_is_not_yet_important(placed, base):
    route = replace(base, route=("乌兰木伦湖",))
    before = classify(route, placed, date(2026, 12, 31))
    assert before.low_risk is True
    assert "乌兰木伦湖自2027-01-01起列入，2026-12-31不计" in result(before, "off_important_places").reason
    after = classify(route, placed, date(2027, 1, 1))
    assert after.low_risk is False
    assert "景观节点乌兰木伦湖" in result(after, "off_important_places").reason


def test_route_clear_of_listed_places_keeps_the_statement(placed, base):
    clear = classify(replace(base, route=("纬三路",)), placed, ON)
    assert clear.low_risk is True
    assert "路径不经过在册重要街路或景观节点" in result(clear, "off_important_places").reason
    # The project manager's statement still counts when the route names no listed place.
    stated = classify(replace(base, route=("纬三路",), touches_important_street=True), placed, ON)
    assert stated.low_risk is False


@pytest.mark.parametrize(
    ("low_risk", "limits"),
    [
        (True, {"lv_business": 0, "hv10_single": 0, "hv10_dual": 3}),
        (False, {"lv_business": 3, "hv10_single": 3, "hv10_dual": 3}),
    ],
)
def test_the_limit_it_sets_per_category_i8(rules, base, low_risk, limits):
    facts = base if low_risk else replace(base, excavation_m=501)
    decided = classify(facts, rules, ON)
    assert decided.low_risk is low_risk and decided.limits == limits
    assert rules.limit("lv_resident") is None  # no approval node (I6)


def test_bundled_limits_agree_with_the_regulation(rules):
    """I8: the regulation's approval clock (which the order's clock follows) gives the same days as this
    rule set's table, for every category with the node."""
    from yekuo.regulations.loader import load_file as load_regulation
    from yekuo.regulations.services import BUNDLED_DIR

    regulation = load_regulation(BUNDLED_DIR / "ordos-2022-64.toml")[0]
    for category in ("lv_business", "hv10_single", "hv10_dual"):
        clock = regulation.category(category).clock("approval")
        for low_risk in (True, False):
            assert clock.limit.days({"low_risk": low_risk}) == rules.limit(category).days(low_risk), category
