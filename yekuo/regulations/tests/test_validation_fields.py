"""Bad fields are refused, naming the file, the path inside it and the problem: missing and unknown
fields, unknown codes, bad limits and dates, TOML syntax."""

import pytest

from yekuo.common.errors import FileFormatError
from yekuo.regulations.loader import build_spec
from yekuo.regulations.tests.conftest import HV1, LVR, edit, refused

# (id, section, old, new, where, fragments)
CASES = [
    ("missing-field", "", 'document = "鄂电营销〔2022〕64号"\n', "", "document", ["missing required field"]),
    (
        "unknown-field",
        f"{LVR}.clocks.survey_plan]",
        "limit = 1",
        "limt = 1",
        "categories.lv_resident.clocks.survey_plan.limt",
        ["unknown field"],
    ),
    (
        "unknown-node-key",
        "",
        "[categories.lv_resident.nodes.contract_energize]",
        "[categories.lv_resident.nodes.meter_install]",
        "categories.lv_resident.nodes.meter_install",
        ["unknown node 'meter_install'"],
    ),
    (
        "unknown-category",
        "",
        "[categories.lv_resident]",
        "[categories.lv_residential]",
        "categories.lv_residential",
        ["unknown category 'lv_residential'"],
    ),
    (
        "unknown-node",
        f"{LVR}.nodes.survey_plan]",
        'predecessors = ["acceptance"]',
        'predecessors = ["acceptanse"]',
        "categories.lv_resident.nodes.survey_plan.predecessors[0]",
        ["unknown node 'acceptanse'"],
    ),
    (
        "unknown-role",
        f"{LVR}.nodes.grid_works]",
        'role = "project_manager"',
        'role = "project_manger"',
        "categories.lv_resident.nodes.grid_works.role",
        ["unknown role 'project_manger'", "(declared in [roles])"],
    ),
    (
        "undeclared-role-code",
        "[roles]",
        'project_manager = "项目经理"',
        'project_boss = "项目经理"',
        "roles.project_boss",
        ["unknown role 'project_boss'"],
    ),
    (
        "unknown-department",
        f"{LVR}.nodes.grid_works]",
        'department = "production_technology"',
        'department = "engineering"',
        "categories.lv_resident.nodes.grid_works.department",
        ["unknown department", "'engineering'"],
    ),
    (
        "unknown-stage",
        f"{LVR}.nodes.grid_works]",
        'stage = "construction"',
        'stage = "building"',
        "categories.lv_resident.nodes.grid_works.stage",
        ["unknown stage 'building'"],
    ),
    (
        "unknown-event",
        f"{LVR}.clocks.survey_plan]",
        'event = "node.completed", node = "acceptance"',
        'event = "node.done", node = "acceptance"',
        "categories.lv_resident.clocks.survey_plan.start[0].event",
        ["unknown event 'node.done'"],
    ),
    (
        "unknown-channel",
        f"{LVR}.clocks.acceptance]",
        '"online"]',
        '"wechat"]',
        "categories.lv_resident.clocks.acceptance.start[0].channels[3]",
        ["unknown channel 'wechat'"],
    ),
    (
        "unknown-condition",
        f"{HV1}.clocks.approval]",
        'by = "low_risk"',
        'by = "lowrisk"',
        "categories.hv10_single.clocks.approval.limit.by",
        ["unknown condition 'lowrisk'"],
    ),
    (
        "condition-value-missing",
        f"{HV1}.clocks.approval]",
        ", pending = 3 }",
        " }",
        "categories.hv10_single.clocks.approval.limit",
        ["no limit for low_risk = pending"],
    ),
    (
        "negative-limit",
        f"{LVR}.clocks.survey_plan]",
        "limit = 1",
        "limit = -1",
        "categories.lv_resident.clocks.survey_plan.limit",
        ["-1 is negative"],
    ),
    (
        "limit-not-half-days",
        f"{HV1}.clocks.approval]",
        "false = 3,",
        "false = 2.75,",
        "categories.hv10_single.clocks.approval.limit.false",
        ["2.75 is not a multiple of 0.5"],
    ),
    (
        "limit-not-a-number",
        f"{LVR}.clocks.survey_plan]",
        "limit = 1",
        'limit = "one"',
        "categories.lv_resident.clocks.survey_plan.limit",
        ["must be a number of working days"],
    ),
    (
        "bad-date",
        "",
        "effective_from = 2022-07-17",
        'effective_from = "17/07/2022"',
        "effective_from",
        ["'17/07/2022' is not a date"],
    ),
    (
        "date-time-not-date",
        "",
        "effective_from = 2022-07-17",
        "effective_from = 2022-07-17T08:00:00",
        "effective_from",
        ["is a date-time"],
    ),
    (
        "dangling-interpretation",
        "[interpretations.I4]",
        'applies_to = ["rules.counting"]',
        'applies_to = ["rules.countng"]',
        "interpretations.I4.applies_to[0]",
        ["'rules.countng' is not a path in this file"],
    ),
    (
        "unsupported-rule",
        "[rules]",
        'zero_limit = "same_working_day"',
        'zero_limit = "next_working_day"',
        "rules.zero_limit",
        ["not supported"],
    ),
]


@pytest.mark.parametrize(
    ("section", "old", "new", "where", "fragments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_refused(bundled_text, write, section, old, new, where, fragments):
    refused(write(edit(bundled_text, section, old, new)), where, *fragments)


def test_toml_syntax_error_names_line_and_column(bundled_text, write):
    lines = bundled_text.splitlines()
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("title = "))
    lines[number - 1] = "title = "
    error = refused(write("\n".join(lines)), f"line {number}, column 9", "TOML syntax error: Invalid value")
    assert "(at line" not in error.problem


def test_unreadable_file(tmp_path):
    refused(tmp_path / "missing.toml", "0", "cannot read the file")


def test_not_utf8(write, tmp_path):
    path = tmp_path / "gbk.toml"
    path.write_bytes('title = "业扩"'.encode("gbk"))
    refused(path, "0", "not UTF-8")


def test_stored_content_is_checked_too(spec):
    content = spec.to_content()
    content["categories"]["hv10_dual"]["clocks"]["grid_works"]["limit"] = 18.2
    with pytest.raises(FileFormatError) as info:
        build_spec(content, "regulation x (stored)")
    assert info.value.where == "categories.hv10_dual.clocks.grid_works.limit"
