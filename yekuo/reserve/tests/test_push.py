"""Pushes from the investment supervision platform enter the reserve library once (R5), through the signed
push of docs/platforms.md."""

from yekuo.intake.models import Application
from yekuo.orders.models import WorkOrder
from yekuo.reserve.models import Project, ProjectEvent, Source, Stage
from yekuo.reserve.tests.conftest import CODE, push_body


def test_a_push_makes_a_project_in_the_branch_of_its_site(investment, cast):
    response = investment(push_body("TZ-1", project_code="2026-150602-44-03-000001"))
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["state"] == "reserve" and answer["order"] is None
    project = Project.objects.get()
    assert answer["project"] == project.number
    assert project.source == Source.PLATFORM and project.stage == Stage.IDENTIFIED
    assert project.branch == cast.east and project.service_area == cast.east_area
    assert project.investor_code == CODE and project.expected_load == 2000 and project.voltage == "10kV"
    assert project.application == Application.objects.get()
    assert [e.kind for e in project.events.all()] == [ProjectEvent.Kind.CREATED]
    assert not WorkOrder.objects.exists()


def test_a_repeated_push_never_makes_a_second_project(investment):
    body = push_body("TZ-2")
    first = investment(body)
    again = investment(body)  # a new nonce, the same body: the platform's retry
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Project.objects.count() == 1 and Application.objects.count() == 1
    assert ProjectEvent.objects.count() == 1


def test_the_same_application_id_with_another_body_is_refused(investment):
    investment(push_body("TZ-3"))
    response = investment(push_body("TZ-3", project_name="另一个项目"))
    assert response.status_code == 422 and response.json()["code"] == "idempotency_mismatch"
    assert Project.objects.count() == 1


def test_a_later_push_of_the_same_project_code_updates_it(investment):
    investment(push_body("TZ-4", project_code="P-1"))
    response = investment(push_body("TZ-5", project_code="P-1", capacity_kva=3150, expected_date="2027-05-01"))
    assert response.status_code == 201
    project = Project.objects.get()
    assert response.json()["project"] == project.number
    assert project.expected_load == 3150 and str(project.expected_date) == "2027-05-01"
    update = project.events.get(kind=ProjectEvent.Kind.UPDATED)
    assert update.payload["changed"]["expected_load"] == ["2000.0", "3150.0"]
    assert update.payload["application"] == "TZ-5"


def test_a_wrong_credit_code_is_refused_by_field(investment):
    response = investment(push_body("TZ-6", customer={"name": "某公司", "id_number": CODE[:-1] + "0"}))
    if CODE[-1] == "0":  # pragma: no cover - the check character happens to be 0
        response = investment(push_body("TZ-6", customer={"name": "某公司", "id_number": CODE[:-1] + "1"}))
    assert response.status_code == 400
    assert "customer.id_number" in response.json()["errors"]
    assert not Project.objects.exists() and not Application.objects.exists()


def test_a_site_outside_every_area_waits_for_the_company(investment, cast):
    investment(push_body("TZ-7", site={"address": "某地某路"}))
    project = Project.objects.get()
    assert project.branch is None and project.company == cast.company
