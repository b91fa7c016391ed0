"""R6 on an order: the facts recorded, classified, decided (approval.decided, the I8 limit), overridden;
the filing, the approval with its answers; the gate (R6, R7) on the grid works."""

import pytest

from yekuo.approvals import approval, consultation, filing, works
from yekuo.approvals.facts import read_facts
from yekuo.approvals.gate import GateClosed
from yekuo.approvals.models import WorksDecision
from yekuo.approvals.selectors import overrides
from yekuo.approvals.services import rule_set_load
from yekuo.approvals.tests.conftest import LOW_RISK
from yekuo.common.errors import Forbidden, InvalidInput
from yekuo.orders import services
from yekuo.orders.models import Clock, OrderEvent, Suspension
from yekuo.web.tests.helpers import IMPORT, complete, make_order
from yekuo.workcal.tests.conftest import at

pytestmark = pytest.mark.django_db

VOLTAGE = {"lv_business": "380V", "hv10_single": "10kV", "hv10_dual": "10kV", "lv_resident": "220V"}


def planned(cast, category="hv10_single", day="2026-11-02"):
    """An order whose supply plan is complete (the approval clock runs)."""
    order = make_order(cast, category=category, when=f"{day} 09:00", voltage=VOLTAGE[category])
    complete(order, cast.clerk, "acceptance", f"{day} 10:00")
    complete(order, cast.customer_manager, "survey_plan", f"{day} 11:00")
    return order


def decide(order, actor, when, **facts):
    data, _ = read_facts({**LOW_RISK, **facts})
    return works.works_decide(order, actor=actor, facts=data, occurred_at=at(when), source=IMPORT)


def approval_clock(order):
    return Clock.objects.get(order=order, code="approval")


@pytest.mark.parametrize(
    ("category", "facts", "low_risk", "limit"),
    [
        ("hv10_single", {"excavation_m": 500}, True, 0),  # 500 m is low-risk
        ("hv10_single", {"excavation_m": 501}, False, 3),  # 501 m is not
        ("hv10_single", {"voltage_kv": 10}, True, 0),  # 10 kV is
        ("hv10_single", {"voltage_kv": 35}, False, 3),  # 35 kV is not
        ("hv10_single", {"obstacles": True}, False, 3),  # an obstacle
        ("lv_business", {"voltage_kv": 0.4}, True, 0),  # I8: low-voltage non-residential 0 when low-risk …
        ("lv_business", {"voltage_kv": 0.4, "excavation_m": 501}, False, 3),  # … and 3 otherwise
        ("hv10_dual", {}, True, 3),  # dual-source 3 either way
        ("hv10_dual", {"single_function": False}, False, 3),
    ],
)
def test_the_decision_sets_the_approval_limit(cast, category, facts, low_risk, limit):
    order = planned(cast, category)
    decision = decide(order, cast.project_manager, "2026-11-02 11:30", **facts)
    assert (decision.low_risk, decision.classified_low_risk, decision.limit_days) == (low_risk, low_risk, limit)
    clock = approval_clock(order)
    assert clock.limit_days == limit and not clock.condition_pending
    event = OrderEvent.objects.get(order=order, seq=decision.event_seq)
    assert event.type == "approval.decided" and event.payload["low_risk"] is low_risk
    assert event.payload["inputs"]["rule_set"] == "ordos-2022-64-lowrisk"
    failed = [r["criterion"] for r in decision.classification if not r["passed"]]
    assert event.payload["inputs"]["failed"] == failed and bool(failed) is not low_risk


def test_an_important_street_listed_from_a_later_date(cast, with_places):
    rule_set_load(with_places())  # 乌兰木伦湖 listed from 2027-01-01 in a rule set in force from 2026-01-01
    order = planned(cast)
    decision = decide(order, cast.project_manager, "2026-11-02 11:30", route=["乌兰木伦湖", "团结路"])
    assert decision.low_risk and decision.rule_set == "test-lowrisk-2026"
    place = next(r for r in decision.classification if r["criterion"] == "off_important_places")
    assert place["passed"] and "2027-01-01起列入" in place["reason"]
    listed = decide(planned(cast), cast.project_manager, "2026-11-02 11:30", route=["鄂尔多斯大街康巴什段"])
    assert not listed.low_risk


def test_a_resident_order_records_the_facts_without_a_decision_event(cast):
    order = planned(cast, "lv_resident")
    decision = decide(order, cast.project_manager, "2026-11-02 11:30")
    assert decision.limit_days is None and decision.event_seq is None
    assert not OrderEvent.objects.filter(order=order, type="approval.decided").exists()


def test_an_override_needs_a_manager_and_a_reason(cast):
    order = planned(cast)
    facts, _ = read_facts({**LOW_RISK, "excavation_m": 620})
    with pytest.raises(Forbidden):
        works.works_decide(order, actor=cast.project_manager, facts=facts, override_low_risk=True,
                           override_reason="现场核实", occurred_at=at("2026-11-02 11:30"), source=IMPORT)  # fmt: skip
    with pytest.raises(InvalidInput) as refused:
        works.works_decide(order, actor=cast.branch_manager, facts=facts, override_low_risk=True,
                           occurred_at=at("2026-11-02 11:30"), source=IMPORT)  # fmt: skip
    assert refused.value.field == "override_reason"
    decision = works.works_decide(order, actor=cast.branch_manager, facts=facts, override_low_risk=True,
                                  override_reason="绿化带段改为架空，实际开挖不足500米",
                                  occurred_at=at("2026-11-02 11:30"), source=IMPORT)  # fmt: skip
    assert decision.overridden and decision.low_risk and not decision.classified_low_risk
    assert decision.limit_days == 0 and approval_clock(order).limit_days == 0
    event = OrderEvent.objects.get(order=order, seq=decision.event_seq)
    assert event.payload["inputs"]["override_reason"].startswith("绿化带段")
    assert list(overrides()) == [decision]
    # The same value as the classification is no override: nothing is flagged.
    again = works.works_decide(order, actor=cast.branch_manager, facts=facts, override_low_risk=False,
                               override_reason="多余", occurred_at=at("2026-11-02 11:40"), source=IMPORT)  # fmt: skip
    assert not again.overridden and again.override_reason == "" and list(overrides()) == [decision]


def test_the_filing_completes_the_approval_node_and_the_decision_then_stands(cast):
    order = planned(cast)
    decide(order, cast.project_manager, "2026-11-02 11:30")
    with pytest.raises(GateClosed) as held:  # the node cannot be completed by hand before the filing
        complete(order, cast.project_manager, "approval", "2026-11-02 14:40")
    assert held.value.code == "gate_closed" and "告知承诺备案未办理" in held.value.message
    record = filing.filing_record(order, actor=cast.project_manager, occurred_at=at("2026-11-02 15:00"),
                                  source=IMPORT)  # fmt: skip
    assert record.letter_number == f"BA{order.number}" and record.filed_at == at("2026-11-02 15:00")
    clock = approval_clock(order)
    assert clock.state == "done" and clock.completed_at == at("2026-11-02 15:00")
    assert Clock.objects.get(order=order, code="grid_works").state == "running"
    with pytest.raises(Exception, match="filing"):
        decide(order, cast.project_manager, "2026-11-02 15:10", excavation_m=900)
    with pytest.raises(Exception, match="already recorded"):
        filing.filing_record(order, actor=cast.project_manager, occurred_at=at("2026-11-02 15:20"), source=IMPORT)


def test_the_approval_runs_under_the_three_day_clock_with_a_suspension(cast):
    order = planned(cast, "lv_business")
    decide(order, cast.project_manager, "2026-11-02 11:30", voltage_kv=0.4, obstacles=True)
    clock = approval_clock(order)
    assert clock.limit_days == 3 and clock.deadline_at == at("2026-11-05 11:00")  # 3 working days from 11:00
    with pytest.raises(InvalidInput):
        filing.filing_record(order, actor=cast.project_manager, occurred_at=at("2026-11-02 11:40"), source=IMPORT)
    request = approval.approval_submit(order, actor=cast.project_manager, authorities=["住建局", "交通局", "住建局"],
                                       occurred_at=at("2026-11-02 14:30"), source=IMPORT)  # fmt: skip
    assert request.authorities == ["住建局", "交通局"]
    approval.approval_answer(order, actor=cast.project_manager, authority="住建局", verdict="approved",
                             occurred_at=at("2026-11-03 09:00"), source=IMPORT)  # fmt: skip
    approval.approval_answer(order, actor=cast.project_manager, authority="交通局", verdict="documents_missing",
                             note="缺占道施工方案", suspend=True, occurred_at=at("2026-11-03 10:00"),
                             source=IMPORT)  # fmt: skip
    suspension = Suspension.objects.get(order=order)
    assert suspension.reason_id == "documents_missing" and "缺占道施工方案" in suspension.evidence_note
    services.order_resume(order, actor=cast.project_manager, occurred_at=at("2026-11-04 10:00"), source=IMPORT)
    with pytest.raises(GateClosed, match="行政审批未批复"):
        complete(order, cast.project_manager, "approval", "2026-11-04 10:30")
    approval.approval_answer(order, actor=cast.project_manager, authority="交通局", verdict="approved",
                             occurred_at=at("2026-11-04 11:00"), source=IMPORT)  # fmt: skip
    request.refresh_from_db()
    assert request.approved_at == at("2026-11-04 11:00")
    clock = approval_clock(order)
    assert clock.state == "done" and clock.completed_at == at("2026-11-04 11:00")
    assert clock.deadline_at == at("2026-11-06 11:00")  # the suspended working day is the customer's


def test_the_gate_holds_the_grid_works_while_a_consultation_is_open(cast, settings):
    order = planned(cast, "lv_resident")
    asked = consultation.consultation_request(order, actor=cast.project_manager, owner_kind="gas",
                                              owner_name="鄂尔多斯市燃气公司", request="沿康和路敷设电缆，核实燃气管",
                                              occurred_at=at("2026-11-02 11:10"))  # fmt: skip
    with pytest.raises(GateClosed) as held:
        complete(order, cast.project_manager, "grid_works", "2026-11-02 15:00")
    assert "配套工程不能完工" in held.value.message and "路径征询未答复：鄂尔多斯市燃气公司" in held.value.message
    consultation.consultation_answer(asked, actor=cast.project_manager, answer="东侧有中压燃气管",
                                     conflicts=["电缆与燃气管净距不足"],
                                     occurred_at=at("2026-11-02 14:40"))  # fmt: skip
    with pytest.raises(GateClosed, match="管线冲突未解决：鄂尔多斯市燃气公司（电缆与燃气管净距不足）"):
        complete(order, cast.project_manager, "grid_works", "2026-11-02 15:00")
    settings.YEKUO_WORKS_GATE = ["filing", "approval"]  # configurable: consultations no longer hold the works
    complete(order, cast.project_manager, "grid_works", "2026-11-02 15:00")


def test_a_resolved_conflict_opens_the_gate(cast):
    order = planned(cast, "lv_resident")
    asked = consultation.consultation_request(order, actor=cast.project_manager, owner_kind="telecom",
                                              owner_name="中国电信", request="路径核实",
                                              occurred_at=at("2026-11-02 11:10"))  # fmt: skip
    consultation.consultation_answer(asked, actor=cast.project_manager, answer="有光缆",
                                     conflicts=["光缆同沟"], occurred_at=at("2026-11-02 14:40"))  # fmt: skip
    conflict = asked.conflicts.get()
    consultation.conflict_resolve(conflict, actor=cast.project_manager, resolution="改走道路西侧",
                                  occurred_at=at("2026-11-02 14:50"))  # fmt: skip
    complete(order, cast.project_manager, "grid_works", "2026-11-02 15:00")
    assert Clock.objects.get(order=order, code="grid_works").state == "running"  # spans contract_energize (I1)
    assert WorksDecision.objects.count() == 0  # a consultation needs no decision


def test_the_filing_and_the_submission_go_to_the_platform_through_the_outbox(cast):
    from yekuo.outbox.models import Delivery, Message

    order = planned(cast)
    decide(order, cast.project_manager, "2026-11-02 11:30")
    record = filing.filing_record(order, actor=cast.project_manager, occurred_at=at("2026-11-02 15:00"),
                                  source=IMPORT)  # fmt: skip
    message = Message.objects.get(key=f"order:{order.number}:approval.filed")
    assert str(message.id) == record.message_id and message.order_id == order.pk
    assert message.kind == "approval.filed" and message.payload["letter_number"] == f"BA{order.number}"
    assert message.payload["facts"]["excavation_m"] == 500
    assert Delivery.objects.get(message=message).destination.code == "approval_platform"
    other = planned(cast)
    decide(other, cast.project_manager, "2026-11-02 11:30", voltage_kv=35)
    request = approval.approval_submit(other, actor=cast.project_manager, authorities=["住建局"],
                                       occurred_at=at("2026-11-02 14:30"), source=IMPORT)  # fmt: skip
    sent = Message.objects.get(key=f"order:{other.number}:approval.submitted")
    assert str(sent.id) == request.message_id and sent.payload["authorities"] == ["住建局"]


def test_a_cancelled_order_s_works_are_no_longer_recorded(cast):
    from yekuo.orders.projection import WorkflowError

    order = planned(cast, "lv_resident")
    services.order_cancel(order, actor=cast.branch_manager, cancel_reason="客户撤回",
                          occurred_at=at("2026-11-02 11:20"), source=IMPORT)  # fmt: skip
    order.refresh_from_db()
    with pytest.raises(WorkflowError):
        decide(order, cast.project_manager, "2026-11-02 11:30")
    with pytest.raises(WorkflowError):
        consultation.consultation_request(order, actor=cast.project_manager, owner_kind="gas", owner_name="燃气",
                                          request="核实", occurred_at=at("2026-11-02 11:30"))  # fmt: skip


def test_the_submission_and_the_answers_are_not_dated_in_the_future(cast):
    """A submission dated ahead would refuse every real answer (none may precede it) and hold the order for ever."""
    from django.utils import timezone

    order = planned(cast)
    decide(order, cast.project_manager, "2026-11-02 11:30", voltage_kv=35)
    ahead = timezone.now() + timezone.timedelta(days=30)
    with pytest.raises(InvalidInput) as refused:
        approval.approval_submit(order, actor=cast.project_manager, authorities=["住建局"], occurred_at=ahead,
                                 source=IMPORT)  # fmt: skip
    assert refused.value.field == "occurred_at"
    approval.approval_submit(order, actor=cast.project_manager, authorities=["住建局", "交通局"],
                             occurred_at=at("2026-11-02 14:30"), source=IMPORT)  # fmt: skip
    with pytest.raises(InvalidInput) as refused:
        approval.approval_answer(order, actor=cast.project_manager, authority="住建局", verdict="refused",
                                 occurred_at=ahead, source=IMPORT)  # fmt: skip
    assert refused.value.field == "occurred_at"
    assert not approval.AuthorityAnswer.objects.exists()


def test_no_approval_is_submitted_for_a_cancelled_order(cast):
    from yekuo.orders.projection import WorkflowError
    from yekuo.outbox.models import Message

    order = planned(cast)
    decide(order, cast.project_manager, "2026-11-02 11:30", voltage_kv=35)
    services.order_cancel(order, actor=cast.branch_manager, cancel_reason="客户撤回",
                          occurred_at=at("2026-11-02 12:00"), source=IMPORT)  # fmt: skip
    order.refresh_from_db()
    with pytest.raises(WorkflowError):
        approval.approval_submit(order, actor=cast.project_manager, authorities=["住建局"],
                                 occurred_at=at("2026-11-02 14:30"), source=IMPORT)  # fmt: skip
    assert not Message.objects.filter(kind="approval.submitted").exists()  # the platform is not told
