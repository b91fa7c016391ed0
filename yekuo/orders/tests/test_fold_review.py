"""The fold's review of suspensions (I5) and its refusal of customer events the workflow cannot
have reached (O5), on the real regulation and the seeded calendar."""

import pytest

from yekuo.orders.projection import IN_TRANSIT, SUSPENDED, WorkflowError
from yekuo.orders.tests.test_projection import run
from yekuo.workcal.tests.conftest import at

START = [
    ("2026-09-29 09:00", "order.received", {}),
    ("2026-09-29 10:00", "node.completed", {"node": "acceptance"}),
]
PENDING = {"reason": "documents_missing", "review": "pending", "review_reasons": ["self"]}
PLAIN = {"reason": "documents_missing"}


def test_a_suspension_under_review_pauses_nothing_until_approved(table):
    events = [*START, ("2026-09-29 11:00", "suspension.started", PENDING), ("2026-10-08 11:00", "suspension.ended", {})]
    pending = run(table, "lv_resident", events)
    survey = pending.clocks["survey_plan"]
    # The clock ran through the suspension: 1 day from 09-29 10:00 ends 09-30 10:00.
    assert survey.pauses == [] and survey.deadline_at == at("2026-09-30 10:00")
    assert pending.suspensions[0].review == "pending" and pending.suspensions[0].review_reasons == ["self"]

    approved = run(table, "lv_resident", [*events, ("2026-10-09 09:00", "suspension.approved", {"suspension": 0})])
    survey = approved.clocks["survey_plan"]
    # Once approved the pause counts from its start: as an unreviewed suspension would have (test_projection).
    assert survey.pauses == [[at("2026-09-29 11:00"), at("2026-10-08 11:00")]]
    assert survey.deadline_at == at("2026-10-09 10:00") and approved.suspensions[0].review == "approved"
    plain = run(table, "lv_resident", [*START, ("2026-09-29 11:00", "suspension.started", PLAIN),
                                       ("2026-10-08 11:00", "suspension.ended", {})])  # fmt: skip
    assert plain.clocks["survey_plan"].deadline_at == survey.deadline_at


def test_approval_of_an_open_suspension_pauses_from_its_start(table):
    events = [*START, ("2026-09-29 11:00", "suspension.started", PENDING)]
    running = run(table, "lv_resident", events)
    assert running.status == SUSPENDED and running.clocks["survey_plan"].state == "running"
    approved = run(table, "lv_resident", [*events, ("2026-09-30 09:00", "suspension.approved", {"suspension": 0})])
    survey = approved.clocks["survey_plan"]
    assert survey.state == "paused" and survey.pauses == [[at("2026-09-29 11:00"), None]]
    resumed = run(table, "lv_resident", [*events, ("2026-09-30 09:00", "suspension.approved", {"suspension": 0}),
                                         ("2026-10-08 11:00", "suspension.ended", {})])  # fmt: skip
    assert resumed.clocks["survey_plan"].deadline_at == at("2026-10-09 10:00")


def test_a_rejected_suspension_never_paused_and_ends(table):
    events = [*START, ("2026-09-29 11:00", "suspension.started", PENDING)]
    with pytest.raises(WorkflowError, match="needs a note"):
        run(table, "lv_resident", [*events, ("2026-09-29 14:30", "suspension.rejected", {"suspension": 0})])
    rejected = run(table, "lv_resident", [*events, ("2026-09-29 14:30", "suspension.rejected",
                                                    {"suspension": 0, "note": "证明系本人所写"})])  # fmt: skip
    assert rejected.status == IN_TRANSIT and rejected.suspensions[0].review == "rejected"
    assert rejected.suspensions[0].ended_at == at("2026-09-29 14:30")
    assert rejected.clocks["survey_plan"].pauses == [] and rejected.clocks["survey_plan"].deadline_at == at(
        "2026-09-30 10:00"
    )


def test_a_long_suspension_is_withdrawn_at_its_end_until_approved(table):
    events = [*START, ("2026-09-29 11:00", "suspension.started", PLAIN),
              ("2026-10-08 11:00", "suspension.ended", {"review": "pending", "review_reasons": ["long"]})]  # fmt: skip
    long = run(table, "lv_resident", events)
    assert long.clocks["survey_plan"].pauses == [] and long.suspensions[0].review_reasons == ["long"]
    approved = run(table, "lv_resident", [*events, ("2026-10-08 14:30", "suspension.approved", {"suspension": 0})])
    assert approved.clocks["survey_plan"].deadline_at == at("2026-10-09 10:00")


@pytest.mark.parametrize("verdict", ["suspension.approved", "suspension.rejected"])
def test_only_a_pending_suspension_can_be_reviewed(table, verdict):
    events = [*START, ("2026-09-29 11:00", "suspension.started", PLAIN)]
    with pytest.raises(WorkflowError, match="not awaiting review"):
        run(table, "lv_resident", [*events, ("2026-09-29 14:30", verdict, {"suspension": 0, "note": "x"})])
    with pytest.raises(WorkflowError, match="position"):
        run(table, "lv_resident", [*events, ("2026-09-29 14:30", verdict, {"suspension": 3, "note": "x"})])


HV10_SINGLE = [
    ("2026-03-02 09:00", "order.received", {}),
    ("2026-03-02 10:00", "node.completed", {"node": "acceptance"}),
    ("2026-03-03 10:00", "node.completed", {"node": "survey_plan"}),
]


def test_works_completed_is_refused_before_the_supporting_works_begin(table):
    """Attachment 1 (10 kV): 签订合同、竣工检验 follows the customer-side works, which run beside the supporting
    works; those begin when the approval (filing) completes."""
    early = [*HV10_SINGLE, ("2026-03-03 11:00", "customer.works_completed", {})]
    with pytest.raises(WorkflowError, match=r"grid_works \(电网配套工程实施\) has not begun"):
        run(table, "hv10_single", early)
    approved = [*HV10_SINGLE, ("2026-03-03 11:00", "node.completed", {"node": "approval"})]
    state = run(table, "hv10_single", [*approved, ("2026-03-04 11:00", "customer.works_completed", {})])
    clock = state.clocks["contract_inspection"]
    assert clock.requested_at == at("2026-03-04 11:00") and clock.state == "not_started"  # D1 holds it


def test_inspection_request_is_refused_before_the_drawing_review_begins(table):
    events = [
        ("2026-03-02 09:00", "order.received", {}),
        ("2026-03-02 10:00", "node.completed", {"node": "acceptance"}),
        ("2026-03-02 11:00", "customer.inspection_requested", {}),
    ]
    with pytest.raises(WorkflowError, match="drawing_review"):
        run(table, "hv10_dual", events)


def test_a_cancelled_order_has_no_active_node_until_reopened(table):
    """O5: nobody works a cancelled order; a reopening gives the nodes back."""
    events = [*START, ("2026-09-29 11:00", "order.cancelled", {"reason": "客户撤回"})]
    cancelled = run(table, "lv_resident", events)
    assert {n.code: n.state for n in cancelled.nodes.values()} == {
        "acceptance": "done", "survey_plan": "cancelled", "grid_works": "waiting", "contract_energize": "waiting",
    }  # fmt: skip
    reopened = run(table, "lv_resident", [*events, ("2026-09-30 09:00", "order.reopened", {"reason": "客户回来了"})])
    assert reopened.nodes["survey_plan"].state == "active"
