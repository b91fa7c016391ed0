"""The reserve library's pages (R5): the library with filters, figures and export, entry, import, a project's
page and its actions, the order page's card; scope (R15)."""

from io import BytesIO

from openpyxl import load_workbook

from yekuo.reserve import services
from yekuo.reserve.models import OrderMatch, Project, Stage
from yekuo.reserve.tests.conftest import CODE
from yekuo.reserve.tests.test_import import GOOD, workbook
from yekuo.reserve.tests.test_services import business_order, new_project
from yekuo.web.tests.helpers import login


def test_the_library_lists_the_branch_with_filters_and_figures(client, cast):
    new_project(cast)
    dropped = new_project(cast, name="撤销的项目")
    services.stage_set(dropped, actor=cast.customer_manager, stage=Stage.DROPPED, reason="取消")
    new_project(cast, actor=cast.west_customer_manager, name="西区项目", site_address="西区园林路2号")
    login(client, cast.customer_manager, cast)
    page = client.get("/reserve/").content.decode()
    assert "东区物流园" in page and "撤销的项目" in page and "西区项目" not in page  # scope
    assert 'data-figure="total">2<' in page
    page = client.get("/reserve/", {"stage": "open"}).content.decode()
    assert "东区物流园" in page and "撤销的项目" not in page
    assert "储备库" in client.get("/orders/").content.decode()  # in the nav


def test_the_export_has_the_filtered_projects(client, cast):
    new_project(cast, contact_phone="13947700001")
    new_project(cast, name="=HYPERLINK(1)")
    login(client, cast.branch_manager, cast)
    response = client.get("/reserve/export.xlsx", {"q": "东区物流园"})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "项目编号" and len(rows) == 2
    assert rows[1][1] == "东区物流园" and rows[1][4] != "13947700001"  # the phone masked (O9)
    login(client, cast.customer_manager, cast)
    assert client.get("/reserve/export.xlsx").status_code == 403  # no order.export


def test_staff_entry_form(client, cast):
    login(client, cast.customer_manager, cast)
    data = {"name": "康巴什数据中心", "investor_name": "某科技有限公司", "investor_code": CODE,
            "site_address": "东区某路8号", "load_unit": "kW", "expected_load": "5000", "voltage": "10kV"}  # fmt: skip
    response = client.post("/reserve/new/", data)
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reserve/{project.pk}/"
    refused = client.post("/reserve/new/", {**data, "investor_code": CODE[:-1] + "?"})
    assert refused.status_code == 400 and "统一社会信用代码" in refused.content.decode()


def test_import_page_reports_lines(client, cast):
    login(client, cast.dispatcher, cast)
    bad = ["", "某公司", "", "", "东区某路", "", "", "", "", ""]
    upload = BytesIO(workbook([GOOD, bad]))
    upload.name = "projects.xlsx"
    page = client.post("/reserve/import/", {"file": upload}).content.decode()
    assert 'data-line="3"' in page and Project.objects.count() == 1
    template = client.get("/reserve/template.xlsx")
    assert template.status_code == 200


def test_project_page_actions_and_conversion_from_the_order_page(client, cast, django_capture_on_commit_callbacks):
    project = new_project(cast)
    login(client, cast.customer_manager, cast)
    url = f"/reserve/{project.pk}/"
    assert client.post(url + "stage/", {"stage-stage": "contacted", "stage-reason": ""}).status_code == 302
    assert (
        client.post(url + "follow_up/", {"follow_up-method": "phone", "follow_up-content": "电话联系"}).status_code
        == 302
    )
    assert client.post(url + "work/", {"work-kind": "line", "work-description": "新建线路",
                                       "work-readiness": "planned"}).status_code == 302  # fmt: skip
    work = project.works.get()
    response = client.post(url + "work_update/", {"work_pk": work.pk, f"w{work.pk}-work": work.pk,
                                                  f"w{work.pk}-readiness": "ready"})  # fmt: skip
    assert response.status_code == 302
    work.refresh_from_db()
    assert work.readiness == "ready"
    refused = client.post(url + "stage/", {"stage-stage": "dropped", "stage-reason": ""})
    assert refused.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        order = business_order(cast)
    page = client.get(f"/orders/{order.number}/").content.decode()
    assert 'id="reserve-card"' in page and project.number in page
    match = OrderMatch.objects.get()
    response = client.post(f"/reserve/matches/{match.pk}/link/", {"next": f"/orders/{order.number}/"})
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.number}/"
    page = client.get(f"/orders/{order.number}/").content.decode()
    assert 'id="reserve-history"' in page and "电话联系" in page and 'data-kind="linked"' in page
    project.refresh_from_db()
    assert project.stage == Stage.APPLIED
    page = client.get(url).content.decode()
    assert order.number in page and 'id="history"' in page


def test_another_branch_cannot_open_or_act(client, cast):
    project = new_project(cast)
    login(client, cast.west_customer_manager, cast)
    assert client.get(f"/reserve/{project.pk}/").status_code == 404
    assert client.post(f"/reserve/{project.pk}/stage/", {"stage-stage": "contacted"}).status_code == 404
    login(client, cast.auditor, cast)  # company scope, read only
    page = client.get(f"/reserve/{project.pk}/").content.decode()
    assert project.name in page and 'id="stage-form"' not in page
    assert client.post(f"/reserve/{project.pk}/stage/", {"stage-stage": "contacted"}).status_code == 403


def test_the_library_is_in_english_with_the_switch(client, cast):
    project = new_project(cast)
    login(client, cast.customer_manager, cast)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    listing = client.get("/reserve/").content.decode()
    assert "Reserve library" in listing and "Conversion (applied / projects)" in listing and "Identified" in listing
    page = client.get(f"/reserve/{project.pk}/").content.decode()
    assert "Record a follow-up" in page and "Added to the reserve library" in page
    services.stage_set(project, actor=cast.customer_manager, stage=Stage.CONTACTED)
    page = client.get(f"/reserve/{project.pk}/").content.decode()
    assert "Stage changed: Identified → Contacted" in page


def test_the_admin_lists_projects_read_only(admin_client, cast):
    project = new_project(cast)
    assert admin_client.get("/admin/reserve/project/").status_code == 200
    assert admin_client.get(f"/admin/reserve/project/{project.pk}/change/").status_code == 200


def test_editing_a_project_on_its_page(client, cast):
    project = new_project(cast, investor_code="")
    login(client, cast.customer_manager, cast)
    url = f"/reserve/{project.pk}/"
    assert 'id="edit-project"' in client.get(url).content.decode()
    data = {"edit-name": "东区物流园（一期）", "edit-investor_name": project.investor_name, "edit-investor_code": CODE,
            "edit-site_address": project.site_address, "edit-load_unit": "kVA"}  # fmt: skip
    assert client.post(url + "edit/", data).status_code == 302
    project.refresh_from_db()
    assert project.name == "东区物流园（一期）" and project.investor_code == CODE
    refused = client.post(url + "edit/", {**data, "edit-investor_code": "123"})
    assert refused.status_code == 400 and "edit-project" in refused.content.decode()
