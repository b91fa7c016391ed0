"""yekuo.bulletin.diff: what changed between two revisions, the lists of problem orders compared row by row."""

import json

from yekuo.bulletin import diff


def _overdue(number: str, branch: str = "east", **fields) -> dict:
    row = {"order": number, "branch": branch, "category": "lv_resident", "kind": "open", "clocks": ["survey"],
           "nodes": ["survey"], "deadline_at": "2026-11-03T18:00:00+08:00", "completed_at": None}  # fmt: skip
    return {**row, **fields}


def _snapshot(overdue: list[dict], findings: list[dict] | None = None, energized: int = 9) -> dict:
    return {
        "generated_at": "2026-12-01T08:00:00+08:00",
        "indicators": {
            "computed_at": "x",
            "rows": [{"branch": "east", "category": "lv_resident", "energized": energized}],
        },
        "overdue": overdue,
        "findings": findings or [],
    }


def test_a_changed_row_is_one_change_with_its_json_and_the_same_rows_are_none():
    rows = [_overdue(f"E{i:05d}") for i in range(1000)]
    changed = [*rows[:500], _overdue("E00500", deadline_at="2026-11-04T18:00:00+08:00"), *rows[501:]]
    found = diff.changes(_snapshot(rows), _snapshot(changed))
    assert found == [
        {
            "path": "overdue[branch=east,category=lv_resident,order=E00500]",
            "old": json.dumps(rows[500], ensure_ascii=False, sort_keys=True),
            "new": json.dumps(changed[500], ensure_ascii=False, sort_keys=True),
        }
    ]
    assert diff.changes(_snapshot(rows), _snapshot([dict(r) for r in rows])) == []


def test_rows_added_removed_and_moved_and_the_figures_beside_them():
    old = [_overdue("E1"), _overdue("E2"), _overdue("W1", branch="west")]
    new = [_overdue("W1", branch="west"), _overdue("E1"), _overdue("E3")]  # E2 gone, E3 new, W1 moved up
    found = {c["path"]: (c["old"], c["new"]) for c in diff.changes(_snapshot(old), _snapshot(new, energized=10))}
    assert set(found) == {
        "overdue[branch=east,category=lv_resident,order=E2]",
        "overdue[branch=east,category=lv_resident,order=E3]",
        "indicators.rows[branch=east,category=lv_resident].energized",
    }
    assert found["overdue[branch=east,category=lv_resident,order=E2]"][1] is None
    assert json.loads(found["overdue[branch=east,category=lv_resident,order=E3]"][1])["order"] == "E3"
    assert found["indicators.rows[branch=east,category=lv_resident].energized"] == (9, 10)


def test_two_findings_with_the_same_names_are_told_apart_and_the_run_time_is_no_change():
    finding = {"order_number": "E1", "branch": "east", "rule": "backdated", "detail": "a", "at": "2026-11-02"}
    old = _snapshot([], [finding, {**finding, "detail": "b"}])
    new = _snapshot([], [finding, {**finding, "detail": "c", "computed_at": "later"}])
    new["generated_at"] = "2026-12-02T08:00:00+08:00"
    found = diff.changes(old, new)
    assert [c["path"] for c in found] == ["findings[branch=east,order_number=E1,rule=backdated]#2"]
    assert json.loads(found[0]["new"])["detail"] == "c" and "computed_at" not in found[0]["new"]
    same = _snapshot([], [finding, {**finding, "detail": "b", "computed_at": "later"}])
    assert diff.changes(old, same) == []
