"""The bundled regulation against Attachment 1 of 鄂电营销〔2022〕64号, cell by cell."""

from datetime import date

import pytest

from yekuo.common.errors import InvalidInput
from yekuo.regulations.codes import CHANNELS
from yekuo.regulations.loader import build_spec
from yekuo.regulations.render import category_rows

ACCEPT_RULE = "1. 电子渠道从营销业务系统收到业扩派单开始计算 2. 营业厅渠道从启动业扩工单开始计算"
CLERK, CM, PM = "业务受理人员", "客户经理", "项目经理"
MKT, PROD = "营销服务部", "生产技术部"

# (stage, node code, node name, limit as printed, start rule, role, department), transcribed from the
# notice's tables; blank cells filled as REQUIREMENTS §4 reads them.
LV_HEAD = [
    ("申请受理", "acceptance", "业务受理", "0.5", ACCEPT_RULE, CLERK, MKT),
    ("申请受理", "survey_plan", "现场勘察、编制供电方案", "1", "从申请受理完成后开始计算", CM, MKT),
]
LV_TAIL = [
    ("施工接电", "contract_energize", "签订合同、正式接电", "(3, shared with grid_works)", "", CM, MKT),
]
HV_HEAD = ("申请受理", "acceptance", "业务受理", "0.5", ACCEPT_RULE, CLERK, MKT)
TABLES = {
    "lv_resident": [
        *LV_HEAD,
        ("施工接电", "grid_works", "电网配套工程实施", "3", "从供电方案完成后开始计算", PM, PROD),
        *LV_TAIL,
    ],
    "lv_business": [
        *LV_HEAD,
        ("施工接电", "approval", "办理行政审批（备案）手续", "0/3", "从供电方案完成后开始计算", PM, PROD),
        ("施工接电", "grid_works", "电网配套工程实施", "3", "从备案手续办结后开始计算", PM, PROD),
        *LV_TAIL,
    ],
    "hv10_single": [
        HV_HEAD,
        ("方案答复", "survey_plan", "现场勘察、编制供电方案", "2", "从申请受理完成后开始计算", CM, MKT),
        ("方案答复", "approval", "办理行政审批（备案）手续", "0/3", "从供电方案完成后开始计算", PM, PROD),
        ("竣工接电", "grid_works", "电网配套工程实施", "13", "从备案手续办结后开始计算", PM, PROD),
        ("竣工接电", "contract_inspection", "签订合同、竣工检验", "1", "客户侧工程完工后", CM, MKT),
    ],
    "hv10_dual": [
        HV_HEAD,
        ("方案答复", "survey_plan", "现场勘察、编制供电方案", "4", "从申请受理完成后开始计算", CM, MKT),
        ("方案答复", "approval", "办理行政审批（备案）手续", "3", "从供电方案完成后开始计算", PM, PROD),
        ("竣工接电", "grid_works", "电网配套工程实施", "18", "从备案手续办结后开始计算", PM, PROD),
        (
            "竣工接电",
            "drawing_review",
            "图纸审查",
            "2",
            "与业扩配套工程同步开展，从接收受电工程设计文件后开始计算",
            CM,
            MKT,
        ),
        (
            "竣工接电",
            "mid_inspection",
            "中间检查",
            "2",
            "与业扩配套工程施工同步开展，从接收受电工程中间检查申请开始计算",
            CM,
            MKT,
        ),
        ("竣工接电", "contract_inspection", "签订合同、竣工检验", "2", "客户侧工程完工后", CM, MKT),
    ],
}


def test_header(spec):
    assert spec.code == "ordos-2022-64"
    assert spec.document == "鄂电营销〔2022〕64号"
    assert spec.effective_from == date(2022, 7, 17)
    assert spec.supersedes == "鄂电营销〔2021〕66号"
    assert "获得电力" in spec.title
    assert [c.code for c in spec.categories] == ["lv_resident", "lv_business", "hv10_single", "hv10_dual"]
    assert [c.name for c in spec.categories] == ["低压居民", "低压非居民", "10千伏单电源", "10千伏双电源"]


@pytest.mark.parametrize("category", TABLES)
def test_table_matches_the_notice(spec, category):
    rows = category_rows(spec, spec.category(category))
    got = [
        (
            r["stage_name"],
            r["node"],
            r["node_name"],
            r["limit_text"],
            r["start_rule"],
            r["role_name"],
            r["department_name"],
        )
        for r in rows
    ]
    assert got == TABLES[category]


def test_i6_absent_nodes(spec):
    assert not spec.category("lv_resident").has_node("approval")
    single = spec.category("hv10_single")
    assert not single.has_node("drawing_review") and not single.has_node("mid_inspection")
    with pytest.raises(InvalidInput, match="has no node 'drawing_review'"):
        single.node("drawing_review")


@pytest.mark.parametrize("category", ["lv_resident", "lv_business"])
def test_i1_grid_works_clock_spans_contract_energize(spec, category):
    cat = spec.category(category)
    clock = cat.clock("grid_works")
    assert clock.nodes == ("grid_works", "contract_energize")
    assert clock.limit.days() == 3
    assert clock.stop.event == "node.completed" and clock.stop.node == "contract_energize"
    assert cat.clock_of("contract_energize") is clock
    assert [c.code for c in cat.clocks if "contract_energize" in c.nodes] == ["grid_works"]
    # each spanned node keeps its own owner
    assert cat.node("grid_works").role == "project_manager"
    assert cat.node("contract_energize").role == "customer_manager"


def test_grid_works_starts(spec):
    start = {c.code: spec.category(c.code).clock("grid_works").starts[0] for c in spec.categories}
    assert (start["lv_resident"].event, start["lv_resident"].node) == ("node.completed", "survey_plan")
    for code in ("lv_business", "hv10_single", "hv10_dual"):
        assert (start[code].event, start[code].node) == ("node.completed", "approval")


def test_approval_limits(spec):
    """I2, I3, I8: 0/3 by low_risk for low-voltage business and 10 kV single; 3 for dual."""
    business = spec.category("lv_business").clock("approval").limit
    assert business.by == "low_risk" and business.display() == "0/3"
    assert (business.days({"low_risk": True}), business.days({"low_risk": False}), business.days({})) == (0, 3, 3)
    single = spec.category("hv10_single").clock("approval").limit
    assert single.by == "low_risk"
    assert single.days({"low_risk": True}) == 0
    assert single.days({"low_risk": False}) == 3
    assert single.days({}) == 3  # pending
    assert single.display() == "0/3"
    dual = spec.category("hv10_dual").clock("approval").limit
    assert dual.by is None and dual.days({"low_risk": True}) == 3


def test_channel_start_rules(spec):
    for category in spec.categories:
        clock = category.clock("acceptance")
        assert {clock.start_for(channel).event for channel in CHANNELS} == {"order.received"}
        assert "receives the dispatched order" in clock.start_for("gov_portal").meaning  # 收到业扩派单
        assert clock.start_for("counter") is clock.start_for("assisted")
        assert clock.start_for("online") is clock.start_for("mengsuban") is clock.start_for("approval_platform")
        assert clock.start_for("counter") is not clock.start_for("online")


def test_customer_started_clocks(spec):
    dual = spec.category("hv10_dual")
    assert dual.clock("drawing_review").starts[0].event == "customer.design_submitted"
    assert dual.clock("mid_inspection").starts[0].event == "customer.inspection_requested"
    for category in ("hv10_single", "hv10_dual"):
        assert spec.category(category).clock("contract_inspection").starts[0].event == "customer.works_completed"
    assert dual.node("drawing_review").parallel and dual.node("mid_inspection").parallel
    assert dual.node("drawing_review").alongside == "grid_works"
    assert set(dual.node("contract_inspection").predecessors) == {"grid_works", "mid_inspection"}
    assert spec.category("hv10_single").node("contract_inspection").predecessors == ("grid_works",)


@pytest.mark.parametrize(
    ("category", "conditions", "days"),
    [
        ("lv_resident", {}, 4.5),
        ("lv_business", {"low_risk": True}, 4.5),
        ("lv_business", {"low_risk": False}, 7.5),
        ("hv10_single", {"low_risk": True}, 16.5),
        ("hv10_single", {"low_risk": False}, 19.5),
        ("hv10_dual", {}, 27.5),
    ],
)
def test_critical_path_computed_from_the_data(spec, category, conditions, days):
    cat = spec.category(category)
    assert cat.utility_days(conditions) == days
    assert cat.critical_path.days(conditions) == days  # the total recorded in the file agrees
    assert cat.longest_path(conditions)[1][0] == "acceptance"


def test_interpretations_are_data(spec):
    ids = [i.id for i in spec.interpretations]
    assert ids[:6] == ["I1", "I2", "I3", "I4", "I5", "I6"]
    assert "categories.lv_resident.clocks.grid_works.nodes" in spec.interpretation("I1").applies_to
    assert spec.rules.zero_limit == "same_working_day"
    assert spec.rules.counting == "working_minutes"
    assert (spec.rules.suspend_on, spec.rules.resume_on) == ("suspension.started", "suspension.ended")


def test_roles_and_departments(spec):
    assert dict(spec.roles) == {"acceptance_clerk": CLERK, "customer_manager": CM, "project_manager": PM}
    assert dict(spec.departments) == {"marketing_service": MKT, "production_technology": PROD}


def test_normalised_content_round_trips(spec):
    again = build_spec(spec.to_content(), "stored")
    assert again == spec
    assert again.to_content() == spec.to_content()
