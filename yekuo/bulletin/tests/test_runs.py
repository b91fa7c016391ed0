"""Frozen bulletin revisions and their documents (R12), the assessment and its confirmation (R13)."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from yekuo.bulletin import render, services
from yekuo.bulletin.models import Assessment, BranchScore, ReportRun
from yekuo.bulletin.tests.conftest import MONTH
from yekuo.common.errors import Conflict, Forbidden, InvalidInput

pytestmark = pytest.mark.django_db


def test_running_again_makes_a_new_revision_and_keeps_the_old(cast, month):
    first = services.report_run_create(cast.company, MONTH)
    assert first.revision == 1 and first.changes == []
    # Only the company's own branches are frozen (north belongs to another company).
    assert {row["branch"] for row in first.data["indicators"]["rows"]} == {"east", "west"}
    month.indicators["rows"][0]["energized"] = 9
    month.findings.append({"order": "E1", "branch": "east", "rule": "backdated", "label": "补录", "clause": "R12"})
    second = services.report_run_create(cast.company, MONTH)
    assert second.revision == 2
    first.refresh_from_db()
    assert first.data["indicators"]["rows"][0]["energized"] == 8  # the old revision is unchanged
    changes = {c["path"]: (c["old"], c["new"]) for c in second.changes}
    assert changes["indicators.rows[branch=east,category=lv_resident].energized"] == (8, 9)
    # A problem order added is one change (the row as a whole), not one per field.
    old, new = changes["findings[branch=east,order=E1,rule=backdated]"]
    assert old is None and '"rule": "backdated"' in new
    assert not any(path.startswith("findings[branch=west") for path in changes)  # keyed by row, not position
    third = services.report_run_create(cast.company, MONTH)
    assert third.changes == [] and third.checksum == second.checksum


def test_long_lists_are_cut_on_the_page_and_whole_in_the_workbook(cast, month):
    month.overdue = [dict(month.overdue[0], order=f"W{i:04d}") for i in range(30)]
    run = services.report_run_create(cast.company, MONTH)
    overdue = next(t for t in render.document(run, list_rows=10)["tables"] if t["key"] == "overdue")
    assert (len(overdue["rows"]), overdue["total"], overdue["cut"]) == (10, 30, True)
    book = load_workbook(io.BytesIO(render.xlsx(run)))
    assert book["超期工单"].max_row == 31


def test_a_revision_cannot_be_changed(cast, month):
    run = services.report_run_create(cast.company, MONTH)
    run.data = {}
    with pytest.raises(Conflict):
        run.save()


def test_a_bad_month_is_refused(cast, month):
    with pytest.raises(InvalidInput):
        services.report_run_create(cast.company, "2026-13")


def test_the_workbook_reads_back_with_real_numbers(cast, month):
    month.findings[0]["detail"] = '=HYPERLINK("http://x")'
    run = services.report_run_create(cast.company, MONTH)
    book = load_workbook(io.BytesIO(render.xlsx(run)))
    assert book.sheetnames[:8] == [
        "说明",
        "分公司排名",
        "分公司分类指标",
        "公司合计",
        "各环节时限",
        "服务回访",
        "超期工单",
        "业务规范性问题",
    ]
    ranking = list(book["分公司排名"].iter_rows(values_only=True))
    header = ranking[0]
    east = dict(zip(header, ranking[1], strict=False))
    assert east["分公司"] == "东区供电分公司" and east["受理工单"] == 12 and east["按期完成率"] == 0.9
    assert book["分公司排名"].cell(2, header.index("按期完成率") + 1).number_format == "0.0%"
    rows = list(book["分公司分类指标"].iter_rows(values_only=True))
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["分公司"] == "东区供电分公司" and first["业务类别"] == "低压居民"
    assert (first["受理工单"], first["线上受理"], first["平均供电企业用时（工作日）"]) == (10, 8, 3.0)
    overdue = list(book["超期工单"].iter_rows(values_only=True))
    assert len(overdue) == 4 and overdue[1][0] == "W10" and overdue[1][3] == "月末在途超期"
    assert overdue[2][5].isoformat() == "2026-10-08T12:00:00"
    findings = book["业务规范性问题"]
    detail = findings.cell(2, 5)
    assert detail.value.startswith("=HYPERLINK") and detail.data_type == "s" and detail.quotePrefix


@pytest.mark.slow  # loading WeasyPrint's libraries runs ldconfig
def test_the_pdf_is_a4_in_chinese(cast, month):
    run = services.report_run_create(cast.company, MONTH)
    reader = PdfReader(io.BytesIO(render.pdf(run)))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (297, 210)  # landscape
    text = "".join("".join(page.extract_text() for page in reader.pages).split())
    assert f"{MONTH}业扩报装服务管控月度通报" in text
    assert "东区供电分公司" in text and "业务规范性问题" in text and "W11" in text
    fonts = {str(f.get_object()["/BaseFont"]) for page in reader.pages for f in page["/Resources"]["/Font"].values()}
    assert any("Noto-Sans-SC" in font for font in fonts), fonts


def test_the_html_file_is_self_contained(cast, month):
    run = services.report_run_create(cast.company, MONTH)
    text = render.html(run)
    assert "<style>" in text and "<script" not in text and "分公司排名" in text


def test_confirmation_freezes_the_scores(cast, month):
    services.scheme_load_bundled()
    assessment = services.assessment_compute(cast.company, MONTH)
    scores = {s.branch_code: (s.score, s.rank) for s in assessment.scores.all()}
    assert scores == {"east": (Decimal("93.89"), 1), "west": (Decimal("54.69"), 2)}
    with pytest.raises(Forbidden):
        services.assessment_confirm(cast.company, MONTH, user=cast.branch_manager)
    with pytest.raises(Forbidden):  # a department manager, but not of the marketing service department
        services.assessment_confirm(cast.company, MONTH, user=cast.department_manager)
    manager = cast.department_manager
    manager.department = cast.departments["marketing_service"]
    manager.save()
    services.assessment_confirm(cast.company, MONTH, user=manager)
    month.indicators["rows"][2]["on_time"] = 5  # the orders change, a new bulletin revision is run…
    services.report_run_create(cast.company, MONTH)
    with pytest.raises(Conflict) as refused:  # …but the confirmed scores are not computed again
        services.assessment_compute(cast.company, MONTH)
    assert refused.value.code == "assessment_confirmed" and "department_manager" in refused.value.message
    with pytest.raises(Conflict):
        services.assessment_confirm(cast.company, MONTH, user=manager)
    score = BranchScore.objects.get(branch_code="west")
    score.score = 100
    with pytest.raises(Conflict):
        score.save()
    frozen = Assessment.objects.get(month=MONTH)
    assert frozen.report.revision == 1
    assert {s.branch_code: s.score for s in frozen.scores.all()} == {"east": Decimal("93.89"), "west": Decimal("54.69")}


def test_an_unconfirmed_month_is_scored_again_from_the_latest_revision(cast, month):
    services.scheme_load_bundled()
    services.assessment_compute(cast.company, MONTH)
    month.indicators["rows"][2]["on_time"] = 5
    services.report_run_create(cast.company, MONTH)
    assessment = services.assessment_compute(cast.company, MONTH)
    assert assessment.report.revision == 2
    assert assessment.scores.get(branch_code="west").score > Decimal("54.69")
    assert ReportRun.objects.filter(month=MONTH).count() == 2


def test_a_month_before_any_scheme_is_refused(cast, month):
    services.scheme_load_bundled()
    with pytest.raises(InvalidInput):
        services.assessment_compute(cast.company, "2021-01")


def test_a_published_scheme_never_changes(tmp_path):
    from yekuo.bulletin.scoring import BUNDLED_DIR

    assert services.scheme_load_bundled()[0].status == "loaded"
    assert services.scheme_load_bundled()[0].status == "unchanged"
    text = (BUNDLED_DIR / "ordos-2022-64-assessment.toml").read_text(encoding="utf-8")
    changed = tmp_path / "changed.toml"
    changed.write_text(text.replace("target = 0.98", "target = 0.9"), encoding="utf-8")
    with pytest.raises(Conflict):
        services.scheme_load(changed)
