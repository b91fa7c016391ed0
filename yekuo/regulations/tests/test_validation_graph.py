"""Processes that could never run are refused: cycles, unreachable nodes, clocks that never start or
stop, nodes without a clock, and a recorded critical path that the limits do not add up to."""

import pytest

from yekuo.regulations.tests.conftest import HV2, LVR, edit, refused

# (id, section, old, new, where, fragments)
CASES = [
    (
        "event-not-allowed",
        f"{LVR}.clocks.survey_plan]",
        'start = [{ event = "node.completed", node = "acceptance" }]',
        'start = [{ event = "suspension.started" }]',
        "categories.lv_resident.clocks.survey_plan.start[0].event",
        ["suspension.started cannot start a clock"],
    ),
    (
        "customer-event-wrong-node",
        f"{HV2}.clocks.drawing_review]",
        'event = "customer.design_submitted"',
        'event = "customer.works_completed"',
        "categories.hv10_dual.clocks.drawing_review.start[0].event",
        ["customer.works_completed can only start the clock of contract_energize, contract_inspection"],
    ),
    (
        "stop-event-not-allowed",
        f"{LVR}.clocks.survey_plan]",
        'stop = { event = "node.completed", node = "survey_plan" }',
        'stop = { event = "order.cancelled" }',
        "categories.lv_resident.clocks.survey_plan.stop.event",
        ["order.cancelled cannot stop a clock"],
    ),
    (
        "channel-never-starts",
        f"{LVR}.clocks.acceptance]",
        'channels = ["counter", "assisted"]',
        'channels = ["counter"]',
        "categories.lv_resident.clocks.acceptance.start",
        ["never start for orders from: assisted"],
    ),
    (
        "channel-twice",
        f"{LVR}.clocks.acceptance]",
        'channels = ["counter", "assisted"]',
        'channels = ["counter", "assisted", "online"]',
        "categories.lv_resident.clocks.acceptance.start[1].channels",
        ["channel online already starts at start[0]"],
    ),
    (
        "cycle",
        f"{LVR}.nodes.survey_plan]",
        'predecessors = ["acceptance"]',
        'predecessors = ["acceptance", "grid_works"]',
        "categories.lv_resident.nodes.survey_plan.predecessors",
        ["cycle in predecessors (each waits for the next): survey_plan → grid_works → survey_plan"],
    ),
    (
        "unreachable",
        f"{HV2}.nodes.drawing_review]",
        'predecessors = ["survey_plan"]',
        "predecessors = []",
        "categories.hv10_dual.nodes.drawing_review.predecessors",
        ["drawing_review is unreachable from acceptance"],
    ),
    (
        "start-node-not-in-category",
        f"{LVR}.clocks.grid_works]",
        'node = "survey_plan"',
        'node = "approval"',
        "categories.lv_resident.clocks.grid_works.start[0].node",
        ["'approval' is not a node of lv_resident, so node.completed for it never happens"],
    ),
    (
        "start-after-the-node",
        f"{LVR}.clocks.survey_plan]",
        'node = "acceptance"',
        'node = "grid_works"',
        "categories.lv_resident.clocks.survey_plan.start[0].node",
        ["the clock would never start: grid_works does not come before survey_plan"],
    ),
    (
        "stop-node-not-in-category",
        f"{LVR}.clocks.grid_works]",
        'stop = { event = "node.completed", node = "contract_energize" }',
        'stop = { event = "node.completed", node = "contract_inspection" }',
        "categories.lv_resident.clocks.grid_works.stop.node",
        ["'contract_inspection' is not a node of lv_resident"],
    ),
    (
        "stop-before-span-ends",
        f"{LVR}.clocks.grid_works]",
        'stop = { event = "node.completed", node = "contract_energize" }',
        'stop = { event = "node.completed", node = "grid_works" }',
        "categories.lv_resident.clocks.grid_works.stop.node",
        ["spans up to contract_energize"],
    ),
    (
        "node-without-clock",
        f"{LVR}.clocks.grid_works]",
        'nodes = ["grid_works", "contract_energize"]',
        'nodes = ["grid_works"]',
        "categories.lv_resident.nodes.contract_energize",
        ["no clock runs while contract_energize is worked"],
    ),
    (
        "clock-span-not-a-chain",
        f"{HV2}.clocks.grid_works]",
        'nodes = ["grid_works"]',
        'nodes = ["grid_works", "mid_inspection"]',
        "categories.hv10_dual.clocks.grid_works.nodes[1]",
        ["mid_inspection does not follow grid_works"],
    ),
    (
        "critical-path-disagrees",
        f"{HV2}]",
        "critical_path = 27.5",
        "critical_path = 27",
        "categories.hv10_dual.critical_path",
        ["records 27 working days", "add up to 27.5", "grid_works 18"],
    ),
]


@pytest.mark.parametrize(
    ("section", "old", "new", "where", "fragments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_refused(bundled_text, write, section, old, new, where, fragments):
    refused(write(edit(bundled_text, section, old, new)), where, *fragments)
