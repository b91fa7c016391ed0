"""A small month with known figures, put in place of the indicators, return visits and normativity findings
(their own tests check how those are computed; these check what the bulletin and the assessment do with
them)."""

import copy

import pytest

from yekuo.bulletin import sources

MONTH = "2026-10"

INDICATORS = {
    "month": MONTH,
    "rows": [
        {
            "branch": "east",
            "category": "lv_resident",
            "created": 10,
            "online": 8,
            "energized": 8,
            "on_time": 8,
            "utility_days_mean": 3.0,
            "customer_days_mean": 1.0,
            "calendar_days_mean": 6.5,
        },
        {
            "branch": "east",
            "category": "hv10_single",
            "created": 2,
            "online": 1,
            "energized": 2,
            "on_time": 1,
            "utility_days_mean": 39.0,
            "customer_days_mean": 10.0,
            "calendar_days_mean": 70.0,
        },
        {
            "branch": "west",
            "category": "lv_resident",
            "created": 10,
            "online": 4,
            "energized": 5,
            "on_time": 3,
            "utility_days_mean": 9.0,
            "customer_days_mean": 2.0,
            "calendar_days_mean": 15.0,
        },
        {
            "branch": "north",
            "category": "lv_resident",
            "created": 99,
            "online": 99,
            "energized": 99,
            "on_time": 99,
            "utility_days_mean": 1.0,
            "customer_days_mean": 1.0,
            "calendar_days_mean": 1.0,
        },
    ],
    "company": [
        {
            "category": "lv_resident",
            "created": 20,
            "online": 12,
            "energized": 13,
            "on_time": 11,
            "utility_days_mean": 5.31,
            "customer_days_mean": 1.38,
            "calendar_days_mean": 9.77,
        },
    ],
    "nodes": [
        {
            "branch": "east",
            "category": "lv_resident",
            "node": "acceptance",
            "completed": 10,
            "on_time": 10,
            "on_time_rate": 1.0,
            "working_days_mean": 0.2,
            "working_days_p90": 0.4,
            "overdue": 0,
        },
        {
            "branch": "west",
            "category": "lv_resident",
            "node": "acceptance",
            "completed": 10,
            "on_time": 8,
            "on_time_rate": 0.8,
            "working_days_mean": 0.4,
            "working_days_p90": 0.9,
            "overdue": 2,
        },
    ],
}
VISITS = [
    {
        "branch": "east",
        "planned": 10,
        "visited": 10,
        "reached": 10,
        "reach_rate": 1.0,
        "satisfaction_mean": 4.8,
        "time_disagreements": 0,
        "disagreement_rate": 0.0,
        "problems": {},
    },
    {
        "branch": "west",
        "planned": 6,
        "visited": 6,
        "reached": 3,
        "reach_rate": 0.5,
        "satisfaction_mean": 4.32,
        "time_disagreements": 2,
        "disagreement_rate": 0.6667,
        "problems": {"attitude": 1},
    },
]
FINDINGS = [
    {"order": f"W{i}", "branch": "west", "rule": "skipped_node", "label": "跳过环节", "clause": "R12", "detail": "x"}
    for i in range(3)
]
OVERDUE = [
    {
        "order": "W10",
        "branch": "west",
        "category": "lv_resident",
        "kind": "open",
        "clock": "survey_plan",
        "nodes": ["survey_plan"],
        "deadline_at": "2026-10-09T18:00:00+08:00",
        "completed_at": None,
    },
    {
        "order": "W10",
        "branch": "west",
        "category": "lv_resident",
        "kind": "open",
        "clock": "acceptance",
        "nodes": ["acceptance"],
        "deadline_at": "2026-10-08T12:00:00+08:00",
        "completed_at": "2026-10-08T15:00:00+08:00",
    },
    {
        "order": "W11",
        "branch": "west",
        "category": "lv_resident",
        "kind": "late",
        "clock": "acceptance",
        "nodes": ["acceptance"],
        "deadline_at": "2026-10-12T12:00:00+08:00",
        "completed_at": "2026-10-13T09:00:00+08:00",
    },
]


class Month:
    """The month's inputs; a test changes them to make the next revision differ."""

    def __init__(self):
        self.indicators = copy.deepcopy(INDICATORS)
        self.visits = copy.deepcopy(VISITS)
        self.findings = copy.deepcopy(FINDINGS)
        self.overdue = copy.deepcopy(OVERDUE)


@pytest.fixture
def month(monkeypatch):
    data = Month()
    monkeypatch.setattr(sources, "indicators", lambda m, company=None: data.indicators)
    monkeypatch.setattr(sources, "visits", lambda m: data.visits)
    monkeypatch.setattr(sources, "findings", lambda m: data.findings)
    monkeypatch.setattr(sources, "overdue", lambda m, branches, company=None: data.overdue)
    return data


def snapshot() -> dict:
    return {
        "month": MONTH,
        "branches": [{"code": "east", "name": "东区供电分公司"}, {"code": "west", "name": "西区供电分公司"}],
        "indicators": copy.deepcopy(INDICATORS),
        "visits": copy.deepcopy(VISITS),
        "findings": copy.deepcopy(FINDINGS),
        "overdue": copy.deepcopy(OVERDUE),
    }
