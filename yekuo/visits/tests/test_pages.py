"""The return-visit and normativity pages (R11, R12): the plan with filters and export, the visit form, the
problems with their follow-ups, the import, and scope."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from yekuo.orders.models import NodeInstance
from yekuo.visits.models import Visit, VisitProblem
from yekuo.visits.services import plan_month
from yekuo.visits.tests.conftest import energize

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(cast):
    east, west = energize(cast, "2026-11-02"), energize(cast, "2026-11-03", branch="west")
    plan_month("2026-11")
    return Visit.objects.get(order=east), Visit.objects.get(order=west)


def test_the_plan_page_with_filters_and_export(client, cast, planned):
    east, west = planned
    client.force_login(cast.dispatcher)
    page = client.get(reverse("visit_list"), {"month": "2026-11"})
    assert page.status_code == 200
    text = page.content.decode()
    assert east.order.number in text and west.order.number in text and 'id="visit-plan"' in text
    only_west = client.get(reverse("visit_list"), {"month": "2026-11", "branch": "west"}).content.decode()
    assert west.order.number in only_west and east.order.number not in only_west
    export = client.get(reverse("visit_export"), {"month": "2026-11"})
    sheet = load_workbook(BytesIO(b"".join(export.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "工单编号" and {r[1] for r in rows[1:]} == {east.order.number, west.order.number}


def test_a_branch_manager_sees_their_branch_and_cannot_record(client, cast, planned):
    east, west = planned
    client.force_login(cast.branch_manager)
    text = client.get(reverse("visit_list"), {"month": "2026-11"}).content.decode()
    assert east.order.number in text and west.order.number not in text and 'id="visit-plan"' not in text
    assert client.get(reverse("visit_record", args=[west.pk])).status_code == 404
    assert (
        client.post(reverse("visit_record", args=[east.pk]), {"channel": "phone", "reached": "no"}).status_code == 403
    )
    client.force_login(cast.clerk)
    assert client.get(reverse("visit_list")).status_code == 403


def test_recording_a_visit_on_the_form_and_following_up(client, cast, planned):
    east, _west = planned
    client.force_login(cast.dispatcher)
    form = client.get(reverse("visit_record", args=[east.pk]))
    assert form.status_code == 200 and "139****5678" in form.content.decode()
    refused = client.post(reverse("visit_record", args=[east.pk]), {"channel": "phone", "reached": "yes"})
    assert refused.status_code == 400  # reached, but no satisfaction: the service's refusal, in the page's words
    assert "联系上客户时须选择满意度（1–5）" in refused.content.decode()
    data = {"channel": "phone", "reached": "yes", "satisfaction": "2", "time_agrees": "no", "time_node": "survey_plan",
            "time_offset_days": "-3", "problems": ["slow", "fees"], "description": "等了很久",
            "note": "客户不满"}  # fmt: skip
    done = client.post(reverse("visit_record", args=[east.pk]), data)
    assert done.status_code == 302
    east.refresh_from_db()
    assert (east.satisfaction, east.time_offset_days, east.problems.count()) == (2, -3, 2)
    problem = VisitProblem.objects.filter(visit=east).first()
    client.force_login(cast.branch_manager)
    listed = client.get(reverse("visit_problems"), {"month": "2026-11"}).content.decode()
    assert "等了很久" in listed
    client.post(reverse("visit_follow_up", args=[problem.pk]), {"action": "已向客户致歉并整改", "closes": "on"})
    problem.refresh_from_db()
    assert problem.closed_at is not None
    closed = client.get(reverse("visit_problems"), {"month": "2026-11", "state": "closed"}).content.decode()
    assert "已向客户致歉并整改" in closed
    again = client.post(reverse("visit_follow_up", args=[problem.pk]), {"action": "再次处理"}, follow=True)
    assert "该问题已办结，无需再记录处理情况" in again.content.decode()  # not the service's English


def test_plan_and_import_from_the_page(client, cast):
    order = energize(cast, "2026-11-02")
    client.force_login(cast.dispatcher)
    response = client.post(reverse("visit_plan"), {"month": "2026-11", "sample": ""})
    assert response.status_code == 302 and Visit.objects.filter(order=order).exists()
    book = Workbook()
    book.active.append(["工单编号", "回访时间", "回访方式", "是否联系上", "满意度"])
    book.active.append([order.number, "2026-11-20 10:00", "电话", "是", 5])
    book.active.append([order.number, "2026-11-20 10:00", "电话", "是", 9])
    buffer = BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("calls.xlsx", buffer.getvalue())
    report = client.post(reverse("visit_import"), {"file": upload})
    text = report.content.decode()
    assert report.status_code == 200 and 'id="import-rows"' in text and "satisfaction" in text
    assert Visit.objects.get(order=order).satisfaction == 5
    junk = client.post(reverse("visit_import"), {"file": SimpleUploadedFile("x.xlsx", b"junk")})
    assert junk.status_code == 400


def test_the_normativity_page_and_export(client, cast):
    order = energize(cast, "2026-11-02", times=("09:30", "09:40", "16:00", "17:00"))
    other = energize(cast, "2026-11-02", branch="west")
    NodeInstance.objects.filter(order=other, code="survey_plan").update(completed_at=None)
    client.force_login(cast.dispatcher)
    text = client.get(reverse("normativity"), {"month": "2026-11"}).content.decode()
    assert order.number in text and other.number in text and "环节办结用时异常短" in text
    export = client.get(reverse("normativity_export"), {"month": "2026-11", "rule": "node_order"})
    rows = list(load_workbook(BytesIO(b"".join(export.streaming_content))).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [other.number]
    client.force_login(cast.branch_manager)  # east only
    text = client.get(reverse("normativity"), {"month": "2026-11"}).content.decode()
    assert order.number in text and other.number not in text


def test_the_pages_in_english(client, cast, planned):
    client.force_login(cast.dispatcher)
    client.cookies["django_language"] = "en"
    text = client.get(reverse("visit_list"), {"month": "2026-11"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Return visits" in text
    assert "order_number (工单编号)" in text  # the import's English headings, which the importer takes too
    east, _west = planned
    record = {"channel": "phone", "reached": "yes", "satisfaction": "3", "problems": ["slow", "fees"],
              "description": "x"}  # fmt: skip
    assert client.post(reverse("visit_record", args=[east.pk]), record).status_code == 302
    export = client.get(reverse("visit_export"), {"month": "2026-11"})
    rows = list(load_workbook(BytesIO(b"".join(export.streaming_content))).active.iter_rows(values_only=True))
    problems = next(r[13] for r in rows[1:] if r[1] == east.order.number)
    assert "、" not in problems and ", " in problems  # listed as English lists them


@pytest.mark.parametrize("url", ["/admin/visits/problemcategory/", "/admin/visits/visit/"])
def test_admin_pages(admin_client, url):
    assert admin_client.get(url).status_code == 200
