"""Rule sets as versioned data: validated field by field, immutable once published, effective-dated."""

import json
from datetime import date

import pytest

from yekuo.approvals import selectors, services
from yekuo.approvals.loader import load_file
from yekuo.approvals.models import RuleSet
from yekuo.approvals.tests.conftest import BUNDLED
from yekuo.common.errors import Conflict, FileFormatError, YekuoError


@pytest.fixture
def empty(db):
    """The session set-up loads the bundled rule set; these tests start without it (rolled back after)."""
    RuleSet.objects.all().delete()


def refused(path, where: str, fragment: str):
    with pytest.raises(FileFormatError) as info:
        load_file(path)
    assert (info.value.path, info.value.where) == (str(path), where), info.value.message
    assert fragment in info.value.problem, info.value.message


def test_bundled_rule_set_cites_the_notice_for_every_criterion():
    spec = load_file(BUNDLED)[0]
    assert spec.effective_from == date(2022, 7, 17) and spec.basis == "鄂工改办发[2022]8号"
    assert {c.fact: c.maximum if c.maximum is not None else c.expect for c in spec.criteria} == {
        "voltage_kv": 10,
        "excavation_m": 500,
        "obstacles": False,
        "single_function": True,
        "simple_technique": True,
        "touches_important_street": False,
    }
    assert all("鄂电营销〔2022〕64号 二、" in c.clause for c in spec.criteria)
    assert all(limit.clause for limit in spec.limits)


@pytest.mark.parametrize(
    ("old", "new", "where", "fragment"),
    [
        ("max = 500", "max = -500", "criteria.excavation.max", "must be more than 0"),
        ("max = 500", 'max = "500"', "criteria.excavation.max", "must be a number of m"),
        ("max = 10\n", "expect = true\n", "criteria.voltage", "give `max`"),
        ('fact = "obstacles"', 'fact = "obstacle"', "criteria.no_obstacle.fact", "unknown fact 'obstacle'"),
        (
            'fact = "obstacles"',
            'fact = "single_function"',
            "criteria.single_function.fact",
            "already tested by criteria.no_obstacle",
        ),
        ('expect = false\nname = "中间', 'expect = "no"\nname = "中间', "criteria.no_obstacle.expect", "true or false"),
        ('clause = "鄂电营销〔2022〕64号 二、第一段：功能单一"\n', "", "criteria.single_function.clause", "missing"),
        (
            'not_low_risk = 3\nclause = "I2',
            'not_low_risk = 2.75\nclause = "I2',
            "limits.hv10_single.not_low_risk",
            "multiple of 0.5",
        ),
        ("[limits.hv10_dual]", "[limits.hv35]", "limits.hv35", "unknown category"),
        ("format = 1", "format = 2", "format", "not a known format"),
        ("effective_from = 2022-07-17", "effective_from = 2022-07-17T00:00:00", "effective_from", "date-time"),
        ("basis =", "bases =", "bases", "unknown field"),
    ],
)
def test_bad_files_are_refused_naming_the_field(bundled_text, write, old, new, where, fragment):
    assert old in bundled_text
    refused(write(bundled_text.replace(old, new, 1)), where, fragment)


def test_a_missing_criterion_is_refused(bundled_text, write):
    start = bundled_text.index("[criteria.simple_technique]")
    end = bundled_text.index("[criteria.off_important_places]")
    refused(write(bundled_text[:start] + bundled_text[end:]), "criteria", "no criterion tests simple_technique")


@pytest.mark.parametrize(
    ("place", "where", "fragment"),
    [
        ('name = "A街"\nkind = "road"\nlisted_from = 2023-01-01', "places[0].kind", "unknown place kind 'road'"),
        ('name = "A街"\nkind = "street"', "places[0].listed_from", "missing"),
        (
            'name = "A街"\nkind = "street"\nlisted_from = 2023-01-01\ndelisted_from = 2023-01-01',
            "places[0].delisted_from",
            "not after listed_from",
        ),
        (
            'name = "A街"\nkind = "street"\nlisted_from = 2023-01-01\n[[places]]\nname = "Ａ街"\n'
            'kind = "landscape_node"\nlisted_from = 2024-01-01',
            "places[1]",
            "already used by places[0]",
        ),
    ],
)
def test_bad_places_are_refused(bundled_text, write, place, where, fragment):
    refused(write(f"{bundled_text}\n[[places]]\n{place}\n"), where, fragment)


def test_load_publishes_and_again_is_unchanged(empty):
    assert services.rule_set_load(BUNDLED).status == "loaded"
    assert services.rule_set_load(BUNDLED).status == "unchanged"
    row = RuleSet.objects.get()
    assert json.loads(row.content) == load_file(BUNDLED)[0].to_content()
    # Stored as text in the file's order: the criteria are shown in the notice's order.
    assert list(json.loads(row.content)["criteria"])[:2] == ["voltage", "excavation"]


def test_comment_only_edit_is_unchanged(empty, bundled_text, write):
    services.rule_set_load(BUNDLED)
    assert services.rule_set_load(write(bundled_text + "\n# a clarified comment\n")).status == "unchanged"


def test_a_changed_published_version_is_refused(empty, bundled_text, write):
    services.rule_set_load(BUNDLED)
    with pytest.raises(Conflict, match="a published version never changes"):
        services.rule_set_load(write(bundled_text.replace("max = 500", "max = 800")))
    assert selectors.rule_set_get("ordos-2022-64-lowrisk").criteria[1].maximum == 500


def test_a_new_version_takes_effect_on_its_date(empty, with_places):
    services.rule_set_load(BUNDLED)
    services.rule_set_load(with_places())
    assert selectors.rule_set_effective(date(2025, 12, 31)).code == "ordos-2022-64-lowrisk"
    assert selectors.rule_set_effective(date(2026, 1, 1)).code == "test-lowrisk-2026"
    assert [r["code"] for r in selectors.rule_set_list()] == ["ordos-2022-64-lowrisk", "test-lowrisk-2026"]
    with pytest.raises(Conflict, match="already takes effect on 2026-01-01"):
        services.rule_set_load(with_places(code="test-other"))


def test_none_in_force(empty):
    with pytest.raises(YekuoError, match="no rule set is loaded") as info:
        selectors.rule_set_effective(date(2026, 12, 1))
    assert info.value.code == "no_rule_set"
    services.rule_set_load(BUNDLED)
    with pytest.raises(YekuoError, match="the earliest loaded rule set, ordos-2022-64-lowrisk, takes effect"):
        selectors.rule_set_effective(date(2022, 7, 16))
