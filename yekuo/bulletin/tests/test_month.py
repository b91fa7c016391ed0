"""The bulletin of a real month of orders, end to end through `yekuo report monthly` (R12) and scored (R13):
the synthetic October 2026 of the indicators' tests (yekuo/reports/tests/test_indicators.py)."""

import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from yekuo.bulletin import services
from yekuo.bulletin.models import ReportRun
from yekuo.reports.tests.test_indicators import october  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def test_the_workbook_of_october(cast, october, tmp_path):  # noqa: F811
    path = tmp_path / "2026-10.xlsx"
    call_command(
        "report", "monthly", "--month", "2026-10", "--company", "cast", "--format", "xlsx", "--output", str(path)
    )
    run = ReportRun.objects.get(month="2026-10")
    assert run.revision == 1 and run.source == "cli"
    book = load_workbook(path)
    rows = list(book["分公司分类指标"].iter_rows(values_only=True))
    header = rows[0]
    table = {(r[0], r[1]): dict(zip(header, r, strict=True)) for r in rows[1:]}
    east = table[("东区供电分公司", "低压居民")]
    assert isinstance(east["受理工单"], int) and east["接电工单"] == 1
    # C (west, 低压非居民) was energized with its survey a day late; G's acceptance ran past its deadline.
    listed = list(book["超期工单"].iter_rows(values_only=True))[1:]
    overdue = {row[0]: row for row in listed}
    assert len(overdue) == len(listed)  # one row per order, its overdue clocks together
    assert october["c"].number in overdue and october["g"].number in overdue
    assert overdue[october["c"].number][1] == "西区供电分公司"
    # Running again over the same orders: a new revision with nothing changed.
    call_command(
        "report", "monthly", "--month", "2026-10", "--company", "cast", "--format", "xlsx", "--output", str(path)
    )
    second = ReportRun.objects.get(month="2026-10", revision=2)
    assert second.changes == [] and second.checksum == run.checksum


def test_the_scores_of_october(cast, october):  # noqa: F811
    services.scheme_load_bundled()
    assessment = services.assessment_compute(cast.company, "2026-10")
    scores = {s.branch_code: s for s in assessment.scores.all()}
    west = {line["code"]: line for line in scores["west"].breakdown["indicators"]}
    assert west["on_time"]["actual"] == 0.0  # C, west's one energized order, was late
    assert west["on_time"]["points"] == 0.0
    east = {line["code"]: line for line in scores["east"].breakdown["indicators"]}
    assert east["on_time"]["actual"] == 1.0 and east["on_time"]["points"] == 35.0
    assert scores["east"].rank == 1 and scores["west"].rank == 2


def test_html_goes_to_stdout(cast, october):  # noqa: F811
    out = io.StringIO()
    call_command("report", "monthly", "--month", "2026-10", "--company", "cast", "--format", "html", stdout=out)
    assert out.getvalue().startswith("<!doctype html>") and "分公司排名" in out.getvalue()


def test_several_formats_make_one_revision(cast, october, tmp_path):  # noqa: F811
    call_command(
        "report", "monthly", "--month", "2026-10", "--company", "cast", "--format", "xlsx,html",
        "--output", str(tmp_path / "2026-10"), stderr=io.StringIO(),
    )  # fmt: skip
    assert ReportRun.objects.filter(month="2026-10").count() == 1
    assert load_workbook(tmp_path / "2026-10.xlsx")["超期工单"].max_row > 1
    assert "<html" in (tmp_path / "2026-10.html").read_text(encoding="utf-8")
