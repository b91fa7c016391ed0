"""The call centre's spreadsheet (R11): bad rows reported by line and field, good rows kept, a second import
changes nothing; and the `yekuo visits` command."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from yekuo.visits.imports import import_visits
from yekuo.visits.models import Visit, VisitProblem
from yekuo.visits.services import plan_month
from yekuo.visits.tests.conftest import energize

pytestmark = pytest.mark.django_db

HEADER = ["工单编号", "回访时间", "回访方式", "是否联系上", "满意度", "时间是否一致", "偏差环节", "偏差天数",
          "问题类别", "问题描述", "备注"]  # fmt: skip


def workbook(path, rows, header=HEADER):
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_good_rows_kept_bad_rows_reported_and_a_second_import_changes_nothing(cast, tmp_path):
    a, b = energize(cast, "2026-11-02"), energize(cast, "2026-11-03")
    plan_month("2026-11")
    path = workbook(
        tmp_path / "calls.xlsx",
        [
            [a.number, "2026-11-20 10:30", "电话", "是", 4, "否", "现场勘察、编制供电方案", -2,
             "办电时间长、收取不合理费用", "收了设计费", "客户称勘察提前两天"],
            [b.number, "2026-11-20 10:40", "电话", "是", 7, "是", None, None, None, None, None],
            ["YK000", "2026-11-20 10:50", "电话", "否", None, None, None, None, None, None, None],
            [b.number, "2026-11-20 11:00", "传真", "否", None, None, None, None, None, None, None],
            [None, None, None, None, None, None, None, None, None, None, None],  # blank: skipped
            [b.number, "not a time", "短信", "否", None, None, None, None, None, None, None],
        ],
    )  # fmt: skip
    with open(path, "rb") as handle:
        report = import_visits(handle, actor=cast.dispatcher)
    assert [(r.line, r.status, r.field) for r in report.rows] == [
        (2, "applied", ""),
        (3, "rejected", "satisfaction"),
        (4, "rejected", "order"),
        (5, "rejected", "channel"),
        (7, "rejected", "visited_at"),
    ]
    visit = Visit.objects.get(order=a)
    assert (visit.satisfaction, visit.time_agrees, visit.time_node, visit.time_offset_days) == (
        4,
        False,
        "survey_plan",
        -2,
    )
    assert sorted(VisitProblem.objects.values_list("category_id", flat=True)) == ["fees", "slow"]
    assert Visit.objects.get(order=b).visited_at is None  # nothing of the bad rows was kept
    with open(path, "rb") as handle:
        again = import_visits(handle, actor=cast.dispatcher)
    assert again.counts() == {"applied": 0, "unchanged": 1, "rejected": 4}
    assert Visit.objects.get(order=a).attempts == 1 and VisitProblem.objects.count() == 2


def test_a_file_without_the_required_columns_or_not_a_workbook(cast, tmp_path):
    from yekuo.common.errors import InvalidInput

    path = workbook(tmp_path / "x.xlsx", [], header=["工单编号", "满意度"])
    with pytest.raises(InvalidInput) as refused, open(path, "rb") as handle:
        import_visits(handle, actor=cast.dispatcher)
    assert "回访时间" in refused.value.message
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a zip")
    with pytest.raises(InvalidInput), open(junk, "rb") as handle:
        import_visits(handle, actor=cast.dispatcher)


def test_english_values_are_read_too(cast, tmp_path):
    west = energize(cast, "2026-11-02", branch="west")
    plan_month("2026-11")
    path = workbook(tmp_path / "calls.xlsx", [[west.number, "2026-11-20 10:30", "phone", "no"] + [None] * 7])
    call_command("visits", "import", str(path), "--user", "dispatcher", stdout=StringIO())
    assert Visit.objects.get(order=west).reached is False


def test_the_command_plans_imports_and_summarises(cast, tmp_path):
    order = energize(cast, "2026-11-02")
    out = StringIO()
    call_command("visits", "plan", "--month", "2026-11", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"month": "2026-11", "energized": 1, "planned": 1, "added": 1, "removed": 0,
                                          "absorbed": 0, "by_branch": {"east": 1}}  # fmt: skip
    rows = [[order.number, "2026-11-20 10:30", "电话", "是", score] + [None] * 6 for score in (5, 0)]
    path = workbook(tmp_path / "calls.xlsx", rows)
    out = StringIO()
    call_command("visits", "import", str(path), "--user", "dispatcher", stdout=out)
    assert out.getvalue().splitlines() == [
        "line 3: rejected [satisfaction]: satisfaction is 1 to 5",
        f"{path}: 2 rows: 1 applied, 0 unchanged, 1 rejected",
    ]
    out = StringIO()
    call_command("visits", "summary", "--month", "2026-11", stdout=out)
    assert json.loads(out.getvalue())["rows"][0]["satisfaction_mean"] == 5.0
