"""The bulletin and assessment pages (R12, R13): who may run, read, download, compute and confirm."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from yekuo.bulletin import services
from yekuo.bulletin.models import Assessment, ReportRun
from yekuo.bulletin.tests.conftest import MONTH
from yekuo.web.tests.helpers import login

pytestmark = pytest.mark.django_db


def test_the_dispatcher_runs_a_month_and_reads_it(client, cast, month):
    login(client, cast.dispatcher, cast)
    page = client.get(reverse("bulletin_index"))
    assert page.status_code == 200 and "生成通报" in page.content.decode()
    response = client.post(reverse("bulletin_index"), {"month": MONTH})
    assert response.status_code == 302 and response["Location"] == reverse("bulletin_month", args=[MONTH])
    page = client.get(reverse("bulletin_month", args=[MONTH])).content.decode()
    assert "第 1 版" in page and "分公司排名" in page and "W11" in page and 'id="bulletin-data"' in page
    month.indicators["rows"][0]["created"] = 11
    client.post(reverse("bulletin_month", args=[MONTH]))
    page = client.get(reverse("bulletin_month", args=[MONTH])).content.decode()
    assert "第 2 版" in page and "indicators.rows[branch=east,category=lv_resident].created" in page
    east_only = client.get(reverse("bulletin_month", args=[MONTH]) + "?branch=east").content.decode()
    assert "W11" not in east_only and "西区供电分公司" in east_only
    old = client.get(reverse("bulletin_month", args=[MONTH]) + "?revision=1").content.decode()
    assert "第 1 版" in old
    xlsx = client.get(reverse("bulletin_download", args=[MONTH, 1, "xlsx"]))
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")
    assert ReportRun.objects.filter(month=MONTH).count() == 2


def test_a_branch_sees_its_own_problem_orders_and_cannot_run(client, cast, month):
    services.report_run_create(cast.company, MONTH)
    login(client, cast.branch_manager, cast)  # east
    page = client.get(reverse("bulletin_month", args=[MONTH])).content.decode()
    assert "西区供电分公司" in page  # the rankings are company-wide
    assert "W11" not in page and "bulletin-rerun" not in page  # west's overdue orders are not listed
    assert client.get(reverse("bulletin_download", args=[MONTH, 1, "xlsx"])).status_code == 404
    client.post(reverse("bulletin_month", args=[MONTH]))
    assert ReportRun.objects.count() == 1


def test_a_bad_month_is_not_found(client, cast):
    login(client, cast.dispatcher, cast)
    assert client.get("/bulletin/2026-13/").status_code == 404


def test_the_marketing_service_department_computes_and_confirms(client, cast, month):
    services.scheme_load_bundled()
    services.report_run_create(cast.company, MONTH)
    manager = cast.department_manager
    manager.department = cast.departments["marketing_service"]
    manager.save()
    login(client, cast.branch_manager, cast)
    client.post(reverse("assessment_action", args=[MONTH, "compute"]))
    assert not Assessment.objects.exists()
    login(client, manager, cast)
    client.post(reverse("assessment_action", args=[MONTH, "compute"]))
    page = client.get(reverse("assessment_month", args=[MONTH])).content.decode()
    assert "待确认" in page and "93.89" in page and "assessment-confirm" in page
    client.post(reverse("assessment_action", args=[MONTH, "confirm"]))
    page = client.get(reverse("assessment_month", args=[MONTH])).content.decode()
    assert "已确认" in page and "assessment-compute" not in page
    response = client.post(reverse("assessment_action", args=[MONTH, "compute"]), follow=True)
    assert "已由营销服务部确认并冻结" in response.content.decode()
    book = load_workbook(io.BytesIO(client.get(reverse("assessment_export", args=[MONTH])).content))
    ranking = list(book["考核得分"].iter_rows(values_only=True))
    assert ranking[1][:3] == (1, "东区供电分公司", 93.89) and ranking[2][:3] == (2, "西区供电分公司", 54.69)
    lines = list(book["得分明细"].iter_rows(values_only=True))
    assert ("西区供电分公司", "扣分：超期工单", 2, None, None, None, -2.0) in lines
    index = client.get(reverse("assessment_index")).content.decode()
    assert MONTH in index and 'id="trend-data"' in index


def test_the_bulletin_in_english(client, cast, month):
    services.report_run_create(cast.company, MONTH)
    login(client, cast.dispatcher, cast)
    client.post(reverse("set_language"), {"language": "en"})
    page = client.get(reverse("bulletin_month", args=[MONTH])).content.decode()
    assert "Branch ranking" in page and "Revision 1" in page and "On-time rate" in page


def test_a_superuser_of_no_company_reads_the_first(client, cast, month):
    services.report_run_create(cast.company, MONTH)
    login(client, cast.superuser, cast)
    assert client.get(reverse("bulletin_month", args=[MONTH])).status_code == 200
    assert client.get(reverse("assessment_index")).status_code == 200
