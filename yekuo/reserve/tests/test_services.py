"""Following up, conversion into an order (keeping the history) and scope (R5, R15)."""

import pytest
from django.utils import timezone

from yekuo.common.errors import Conflict, Forbidden, InvalidInput
from yekuo.orders.models import OrderStatus, WorkOrder
from yekuo.reserve import matching, selectors, services
from yekuo.reserve.models import OrderMatch, ProjectEvent, Stage
from yekuo.reserve.tests.conftest import CODE, OTHER_CODE
from yekuo.web.tests.helpers import make_order


def new_project(cast, actor=None, **overrides):
    fields = {"name": "东区物流园", "investor_name": "某物流有限公司", "investor_code": CODE,
              "site_address": "东区康和路1号", "expected_load": 800, "voltage": "10kV"}  # fmt: skip
    fields.update(overrides)
    return services.project_create(actor=actor or cast.customer_manager, **fields)


def business_order(cast, code=CODE, **kwargs):
    return make_order(cast, category="lv_business", customer_name="某物流有限公司", customer_id_number=code,
                      when=None, **kwargs)  # fmt: skip


def test_staff_entry_places_the_project_in_the_branch(cast):
    project = new_project(cast)
    assert project.branch == cast.east and project.service_area == cast.east_area
    assert project.stage == Stage.IDENTIFIED and project.created_by == cast.customer_manager


def test_entry_checks_the_credit_code_and_names_every_field(cast):
    with pytest.raises(InvalidInput) as refused:
        new_project(cast, investor_code="91150602MA0Q2X3Y40", name="", contact_phone="123")
    assert set(refused.value.errors) == {"investor_code", "name", "contact_phone"}


def test_stages_are_recorded_with_who_and_when(cast):
    project = new_project(cast)
    services.stage_set(project, actor=cast.customer_manager, stage=Stage.CONTACTED)
    services.follow_up_add(project, actor=cast.customer_manager, content="与投资方座谈，预计明年三月开工",
                           method="meeting", next_step="核实负荷")  # fmt: skip
    services.work_add(project, actor=cast.project_manager, kind="line", description="新建10kV线路2km")
    services.stage_set(project, actor=cast.project_manager, stage=Stage.WORKS_PLANNED)
    with pytest.raises(InvalidInput):
        services.stage_set(project, actor=cast.customer_manager, stage=Stage.DROPPED)  # no reason
    with pytest.raises(InvalidInput):
        services.stage_set(project, actor=cast.customer_manager, stage=Stage.APPLIED)  # only with the order
    events = list(project.events.all())
    assert [e.kind for e in events] == ["created", "stage", "follow_up", "works", "stage"]
    assert events[1].actor == cast.customer_manager and events[1].payload == {
        "before": "identified",
        "after": "contacted",
    }
    assert events[4].actor == cast.project_manager
    dropped = services.stage_set(project, actor=cast.customer_manager, stage=Stage.DROPPED, reason="项目取消")
    assert dropped.drop_reason == "项目取消"


def test_a_new_order_of_the_investor_at_the_site_is_proposed_on_commit(cast, django_capture_on_commit_callbacks):
    project = new_project(cast)
    other = new_project(cast, name="西区仓库", site_address="西区园林路9号")  # same investor, another site
    new_project(cast, name="别家项目", investor_code=OTHER_CODE)
    with django_capture_on_commit_callbacks(execute=True):
        order = business_order(cast)
    match = OrderMatch.objects.get()
    assert match.project == project and match.order == order and match.state == OrderMatch.State.PROPOSED
    assert match.reason["same_area"] is True
    assert project.events.filter(kind=ProjectEvent.Kind.PROPOSED).exists()
    assert not other.matches.exists()
    assert selectors.proposals_for_order(cast.customer_manager, order) == [match]
    assert selectors.proposals_for_order(cast.west_customer_manager, order) == []  # not their branch


def test_a_resident_order_costs_no_query(cast, django_assert_num_queries):
    order = make_order(cast)
    with django_assert_num_queries(0):
        assert matching.order_created(order) == []


def test_a_business_order_costs_one_query_when_nothing_matches(cast, django_assert_num_queries):
    order = business_order(cast, code=OTHER_CODE)
    with django_assert_num_queries(1):
        assert matching.order_created(order) == []


def test_conversion_keeps_the_history_and_moves_the_project_to_applied(cast, django_capture_on_commit_callbacks):
    project = new_project(cast)
    services.follow_up_add(project, actor=cast.customer_manager, content="上门走访")
    with django_capture_on_commit_callbacks(execute=True):
        order = business_order(cast)
    match = OrderMatch.objects.get()
    services.match_link(match, actor=cast.customer_manager)
    project.refresh_from_db()
    assert project.stage == Stage.APPLIED and project.order == order and project.applied_at == order.created_at
    order = WorkOrder.objects.get(pk=order.pk)
    assert order.reserve_project == project  # the order reaches the project's whole history
    kinds = [e.kind for e in order.reserve_project.events.all()]
    assert kinds == ["created", "follow_up", "proposed", "linked", "stage"]
    assert project.follow_ups.count() == 1
    match.refresh_from_db()
    assert match.state == OrderMatch.State.LINKED
    with pytest.raises(Conflict):
        services.stage_set(project, actor=cast.customer_manager, stage=Stage.CONTACTED)


def test_linking_by_hand_and_its_refusals(cast):
    project = new_project(cast)
    order = make_order(cast, when=None)  # a resident's order: linked by hand, no proposal
    with pytest.raises(InvalidInput):
        services.order_link(project, "YK000000000", actor=cast.customer_manager)
    services.order_link(project, order.number, actor=cast.customer_manager)
    assert project.events.get(kind="linked").payload == {"order": order.number, "how": "hand"}
    second = new_project(cast, name="二期")
    with pytest.raises(Conflict):
        services.order_link(second, order.number, actor=cast.customer_manager)


def test_dismissing_a_proposal(cast, django_capture_on_commit_callbacks):
    project = new_project(cast)
    with django_capture_on_commit_callbacks(execute=True):
        business_order(cast)
    match = OrderMatch.objects.get()
    services.match_dismiss(match, actor=cast.customer_manager)
    assert selectors.proposals_for_project(project) == []
    assert project.events.filter(kind="dismissed").exists()


def test_another_branch_can_neither_see_nor_act(cast, django_capture_on_commit_callbacks):
    project = new_project(cast)
    west = cast.west_customer_manager
    assert not selectors.projects_for(west).filter(pk=project.pk).exists()
    assert selectors.projects_for(cast.dispatcher).filter(pk=project.pk).exists()  # company scope
    for attempt in (
        lambda: services.stage_set(project, actor=west, stage=Stage.CONTACTED),
        lambda: services.follow_up_add(project, actor=west, content="x"),
        lambda: services.work_add(project, actor=west, kind="line", description="x"),
    ):
        with pytest.raises(Forbidden):
            attempt()
    west_order = make_order(cast, branch=cast.west, when=None)
    with pytest.raises(InvalidInput):  # the east's customer manager cannot reach a west order
        services.order_link(project, west_order.number, actor=cast.customer_manager)
    with pytest.raises(Forbidden):  # the auditor views, never acts
        services.stage_set(project, actor=cast.auditor, stage=Stage.CONTACTED)
    with django_capture_on_commit_callbacks(execute=True):
        business_order(cast)
    with pytest.raises(Forbidden):
        services.match_link(OrderMatch.objects.get(), actor=west)


def test_figures_conversion_rate_and_lead_times(cast):
    from datetime import timedelta

    now = timezone.now()
    projects = [new_project(cast, name=f"项目{i}", identified_at=now - timedelta(days=30)) for i in range(4)]
    services.stage_set(projects[3], actor=cast.customer_manager, stage=Stage.DROPPED, reason="取消")
    order = make_order(cast, when=None)
    WorkOrder.objects.filter(pk=order.pk).update(created_at=now - timedelta(days=20))
    services.order_link(projects[0], order.number, actor=cast.customer_manager)
    WorkOrder.objects.filter(pk=order.pk).update(status=OrderStatus.ENERGIZED, closed_at=now - timedelta(days=5))
    result = selectors.figures(selectors.projects_for(cast.branch_manager))
    assert result.total == 4 and result.applied == 1 and result.dropped == 1
    assert result.conversion_rate == 0.25 and result.decided_rate == 0.5
    assert result.identified_to_applied.median_days == 10.0
    assert result.applied_to_energized.median_days == 15.0
    assert result.identified_to_energized.median_days == 25.0


def test_staff_complete_the_credit_code_and_later_orders_match(cast, django_capture_on_commit_callbacks):
    project = new_project(cast, investor_code="")
    fields = {"name": project.name, "investor_name": project.investor_name, "site_address": project.site_address,
              "investor_code": CODE, "expected_load": 1000, "voltage": "10kV"}  # fmt: skip
    services.project_edit(project, actor=cast.customer_manager, **fields)
    update = project.events.get(kind=ProjectEvent.Kind.UPDATED)
    assert update.payload["changed"]["investor_code"] == ["", CODE]
    assert update.payload["changed"]["expected_load"] == ["800.0", "1000.0"]
    with django_capture_on_commit_callbacks(execute=True):
        business_order(cast)
    assert OrderMatch.objects.get().project == project
    with pytest.raises(Forbidden):
        services.project_edit(project, actor=cast.west_customer_manager, **fields)
