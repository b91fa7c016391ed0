"""Business normativity (R12, notice §3 ¶1): each rule catches what it is for, and is not raised on a clean
order; the findings are filtered to the month and the branch."""

from datetime import timedelta

import pytest
from django.utils import timezone

from yekuo.approvals import filing, works
from yekuo.approvals.facts import read_facts
from yekuo.approvals.tests.conftest import LOW_RISK
from yekuo.approvals.tests.test_works import planned
from yekuo.normativity.findings import RULES, findings
from yekuo.orders import services
from yekuo.orders.models import EventSource, NodeInstance
from yekuo.visits.models import Visit
from yekuo.visits.months import month_of
from yekuo.visits.services import Outcome, plan_month, record_visit
from yekuo.visits.tests.conftest import IMPORT, create, energize
from yekuo.workcal.tests.conftest import at

pytestmark = pytest.mark.django_db


def rules(month="2026-11", branch=None) -> list[tuple[str, str]]:
    return [(f.order_number, f.rule) for f in findings(month, branch)]


def test_a_clean_month_has_no_findings(cast):
    energize(cast, "2026-11-02")
    energize(cast, "2026-11-03", branch="west")
    order = create(cast, "2026-11-04 09:00")
    services.order_suspend(order, actor=cast.clerk, reason_code="documents_missing", evidence_note="客户缺少房产证明",
                           occurred_at=at("2026-11-04 10:00"), source=IMPORT)  # fmt: skip
    plan_month("2026-11")
    for visit in Visit.objects.all():
        record_visit(visit, Outcome("phone", True, 5, time_agrees=True), actor=cast.dispatcher)
    assert findings("2026-11") == []


def test_every_rule_has_a_label_and_a_clause():
    for rule in RULES.values():
        assert rule.label and "notice §" in rule.clause


# ------------------------------------------------------------------------------------------ node order
def test_a_skipped_node_is_found(cast):
    order = energize(cast, "2026-11-02")
    # History loaded around the services: the survey never completed, yet the grid works did.
    NodeInstance.objects.filter(order=order, code="survey_plan").update(completed_at=None, state="active")
    found = findings("2026-11")
    assert [(f.order_number, f.rule) for f in found] == [(order.number, "node_order")]
    assert "现场勘察、编制供电方案" in found[0].detail and "跳项" in found[0].detail
    assert found[0].branch == "east" and found[0].label == "环节跳项或顺序颠倒"


def test_a_reordered_node_is_found(cast):
    order = energize(cast, "2026-11-02")
    NodeInstance.objects.filter(order=order, code="survey_plan").update(completed_at=at("2026-11-02 16:30"))
    found = findings("2026-11")
    assert [(f.order_number, f.rule) for f in found] == [(order.number, "node_order")]
    assert "顺序颠倒" in found[0].detail


def test_nodes_completed_at_the_same_instant_keep_the_order(cast):
    order = energize(cast, "2026-11-02")
    NodeInstance.objects.filter(order=order, code="survey_plan").update(completed_at=at("2026-11-02 16:00"))
    assert "node_order" not in [r for _n, r in rules()]


# ------------------------------------------------------------------------------------------ back-dated
def test_a_back_dated_staff_entry_is_found(cast):
    now = timezone.now()
    order = create(cast, timezone.localtime(now - timedelta(hours=3)).strftime("%Y-%m-%d %H:%M"))
    services.node_complete(order, actor=cast.clerk, node="acceptance", occurred_at=now - timedelta(hours=2),
                           reason="下午系统故障，补录")  # fmt: skip
    found = [f for f in findings(month_of(now)) if f.rule == "backdated"]
    assert [(f.order_number, f.rule) for f in found] == [(order.number, "backdated")]
    assert "系统故障" in found[0].detail and "clerk" in found[0].detail


def test_an_entry_made_at_once_or_imported_is_not_back_dated(cast):
    now = timezone.now()
    order = create(cast, timezone.localtime(now - timedelta(hours=3)).strftime("%Y-%m-%d %H:%M"))  # imported
    services.node_complete(order, actor=cast.clerk, node="acceptance", occurred_at=now - timedelta(minutes=5))
    assert [f for f in findings(month_of(now)) if f.rule == "backdated"] == []


# ------------------------------------------------------------------------------------------ fast completion
def test_a_survey_done_in_ten_minutes_is_found(cast):
    order = energize(cast, "2026-11-02", times=("09:30", "09:40", "16:00", "17:00"))
    found = findings("2026-11")
    assert [(f.order_number, f.rule) for f in found] == [(order.number, "fast_completion")]
    assert "10 分钟" in found[0].detail and "30" in found[0].detail


def test_a_survey_at_the_threshold_is_not_too_fast(cast):
    energize(cast, "2026-11-02", times=("09:30", "10:00", "16:00", "17:00"))
    assert rules() == []


# ------------------------------------------------------------------------------------------ evidence
def test_a_suspension_with_a_token_note_is_found(cast):
    order = create(cast, "2026-11-04 09:00")
    services.order_suspend(order, actor=cast.clerk, reason_code="documents_missing", evidence_note=" 缺 ",
                           occurred_at=at("2026-11-04 10:00"), source=IMPORT)  # fmt: skip
    found = findings("2026-11")
    assert [(f.order_number, f.rule) for f in found] == [(order.number, "suspension_evidence")]
    assert found[0].clause.endswith("I5")


# ------------------------------------------------------------------------------------------ override
def test_a_classification_override_is_found_and_a_plain_decision_is_not(cast):
    overridden, plain = planned(cast), planned(cast)
    facts, _ = read_facts({**LOW_RISK, "excavation_m": 620})
    works.works_decide(overridden, actor=cast.branch_manager, facts=facts, override_low_risk=True,
                       override_reason="开挖不足500米", occurred_at=at("2026-11-02 11:30"), source=IMPORT)  # fmt: skip
    works.works_decide(
        plain, actor=cast.project_manager, facts=facts, occurred_at=at("2026-11-02 11:30"), source=IMPORT
    )
    found = findings("2026-11")
    assert [(f.order_number, f.rule) for f in found] == [(overridden.number, "classification_override")]
    assert "开挖不足" in found[0].detail


# ------------------------------------------------------------------------------------------ unclassified approval
def test_an_approval_completed_by_hand_without_a_classification_is_found(cast):
    """R6 skipped: staff typed the old yes/no decision and completed the approval node, never recording the
    works' facts. A relayed order (another system classifies it) and a classified one are not listed."""
    web = {"source": EventSource.WEB, "reason": "补录"}
    skipped, relayed, classified = planned(cast), planned(cast), planned(cast)
    for order, options in ((skipped, web), (relayed, {"source": IMPORT})):
        services.approval_decide(order, actor=cast.project_manager, low_risk=True,
                                 occurred_at=at("2026-11-02 11:30"), **options)  # fmt: skip
        services.node_complete(order, actor=cast.project_manager, node="approval",
                               occurred_at=at("2026-11-02 14:00"), **options)  # fmt: skip
    facts, _ = read_facts(LOW_RISK)
    works.works_decide(classified, actor=cast.project_manager, facts=facts, occurred_at=at("2026-11-02 11:30"),
                       source=IMPORT)  # fmt: skip
    filing.filing_record(classified, actor=cast.project_manager, occurred_at=at("2026-11-02 14:00"), **web)
    found = [f for f in findings("2026-11") if f.rule != "backdated"]
    assert [(f.order_number, f.rule) for f in found] == [(skipped.number, "unclassified_approval")]
    assert "未经低风险判定" in found[0].detail and found[0].clause.endswith("R6")
    assert findings("2026-11", branch="west") == []


# ------------------------------------------------------------------------------------------ time disagreement
def test_a_time_disagreement_of_a_visit_is_found(cast):
    disagreeing, agreeing = energize(cast, "2026-11-02"), energize(cast, "2026-11-03")
    plan_month("2026-11")
    record_visit(Visit.objects.get(order=disagreeing),
                 Outcome("phone", True, 3, time_agrees=False, time_node="survey_plan", time_offset_days=-2),
                 actor=cast.dispatcher)  # fmt: skip
    record_visit(Visit.objects.get(order=agreeing), Outcome("phone", True, 5, time_agrees=True), actor=cast.dispatcher)
    found = findings("2026-11")
    assert [(f.order_number, f.rule) for f in found] == [(disagreeing.number, "time_disagreement")]
    assert "早 2 天" in found[0].detail


# ------------------------------------------------------------------------------------------ month and branch
def test_findings_are_cut_by_month_and_branch(cast):
    east = energize(cast, "2026-11-02", times=("09:30", "09:40", "16:00", "17:00"))
    west = energize(cast, "2026-11-02", branch="west", times=("09:30", "09:35", "16:00", "17:00"))
    october = energize(cast, "2026-10-30", times=("09:30", "09:40", "16:00", "17:00"))
    assert rules() == [(east.number, "fast_completion"), (west.number, "fast_completion")]
    assert rules(branch="west") == [(west.number, "fast_completion")]
    assert rules("2026-10") == [(october.number, "fast_completion")]
    assert rules("2026-12") == []


def test_the_threshold_is_data(cast, monkeypatch):
    from yekuo.normativity import findings as module

    energize(cast, "2026-11-02")  # survey in 90 minutes
    assert rules() == []
    monkeypatch.setattr(module, "thresholds", lambda: {"fast": {"survey_plan": 120}, "min_evidence_chars": 4})
    assert [r for _n, r in rules()] == ["fast_completion"]
