"""The assessment scheme as data and the score of a small month worked out by hand (R13)."""

from pathlib import Path

import pytest

from yekuo.bulletin import scoring
from yekuo.bulletin.figures import competition_ranks
from yekuo.bulletin.tests.conftest import snapshot
from yekuo.common.errors import FileFormatError

BUNDLED = scoring.BUNDLED_DIR / "ordos-2022-64-assessment.toml"


def scheme():
    return scoring.load_file(BUNDLED)[0]


def test_the_breakdown_of_a_known_month():
    east, west = scoring.score(snapshot(), scheme())
    lines = {line["code"]: line for line in east["breakdown"]["indicators"]}
    # On time 9 of 10 energized, target 98 %: 35 × 0.9184.
    assert lines["on_time"]["actual"] == 0.9 and lines["on_time"]["points"] == 32.14
    # Utility time per category: residential 3.0 ≤ 4.5 (8 orders) → 1; 10 kV 39.0 vs 19.5 (2 orders) → 0.5; mean 0.9.
    assert lines["utility_days"]["achievement"] == 0.9 and lines["utility_days"]["points"] == 18.0
    assert lines["online"]["actual"] == 0.75 and lines["online"]["points"] == 18.75  # 9 of 12, target 80 %
    assert lines["reach"]["points"] == 10.0 and lines["satisfaction"]["points"] == 15.0
    assert east["score"] == 93.89 and east["rank"] == 1
    # West: 3 of 5 on time, 9.0 days vs 4.5, 40 % online, half reached, satisfaction 4.32 of 4.8.
    lines = {line["code"]: line["points"] for line in west["breakdown"]["indicators"]}
    assert lines == {"on_time": 21.43, "utility_days": 10.0, "online": 10.0, "reach": 5.26, "satisfaction": 13.5}
    deductions = {d["code"]: (d["count"], d["points"]) for d in west["breakdown"]["deductions"]}
    # Two overdue orders (W10 has two late clocks: one order), three findings at 0.5, two disagreements.
    assert deductions == {"overdue": (2, 2.0), "normativity": (3, 1.5), "time_disagreement": (2, 2.0)}
    assert west["breakdown"]["earned"] == 60.19 and west["breakdown"]["deducted"] == 5.5
    assert west["score"] == 54.69 and west["rank"] == 2


def test_deductions_are_capped_and_the_score_never_negative():
    data = snapshot()
    data["findings"] = data["findings"] * 100
    west = scoring.score(data, scheme())[1]
    normativity = next(d for d in west["breakdown"]["deductions"] if d["code"] == "normativity")
    assert normativity["count"] == 300 and normativity["points"] == 10.0


def test_a_branch_with_nothing_to_measure_keeps_the_missing_share():
    data = snapshot()
    data["branches"].append({"code": "south", "name": "南区"})
    south = next(r for r in scoring.score(data, scheme()) if r["branch"] == "south")
    assert all(not line["measured"] for line in south["breakdown"]["indicators"])
    assert south["score"] == 100.0


def test_equal_scores_share_a_rank():
    assert competition_ranks([("a", 90), ("b", 95), ("c", 90), ("d", None)]) == {"a": 2, "b": 1, "c": 2, "d": None}


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (("weight = 35", "weight = 30"), "indicators"),  # weights must add up to full marks
        (('measure = "on_time_rate"', 'measure = "speed"'), "indicators.on_time.measure"),
        (('direction = "higher"', 'direction = "up"'), "indicators.on_time.direction"),
        (("target = 0.98", "target = -1"), "indicators.on_time.target"),
        (("hv10_dual = 27.5", "hv10_triple = 27.5"), "indicators.utility_days.targets.hv10_triple"),
        (("cap = 15", 'cap = "x"'), "deductions.overdue.cap"),
    ],
)
def test_a_bad_scheme_names_the_field(tmp_path: Path, change, where):
    text = BUNDLED.read_text(encoding="utf-8")
    assert change[0] in text
    path = tmp_path / "scheme.toml"
    path.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(FileFormatError) as raised:
        scoring.load_file(path)
    assert where in str(raised.value)


def test_stored_content_reads_back_as_the_same_scheme():
    import json

    original = scheme()
    assert scoring.from_content(json.dumps(original.to_content())) == original
