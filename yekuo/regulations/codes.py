"""The closed vocabularies a regulation file may use (REQUIREMENTS §2, §5).

These are code, not data, on purpose: the order engine, the intake adapters and the approvals app emit
and understand exactly these codes, so a regulation file that names anything else could never run. A
regulation can choose among them (which nodes a category has, who owns them, which event starts which
clock, what the limits are) without any code change; inventing a new event or channel needs code anyway.
"""

from yekuo.orders.events import REGULATION_TYPES

CATEGORIES = {
    "lv_resident": "低压居民",
    "lv_business": "低压非居民",
    "hv10_single": "10千伏单电源",
    "hv10_dual": "10千伏双电源",
}

CHANNELS = {
    "counter": "营业厅",
    "gov_portal": "全区一体化政务服务平台",
    "mengsuban": "蒙速办",
    "approval_platform": "工程建设项目审批平台",
    "online": "网上国网/掌上电力等自有线上渠道",
    "assisted": "帮您办",
}

NODES = {
    "acceptance": "业务受理",
    "survey_plan": "现场勘察、编制供电方案",
    "approval": "办理行政审批（备案）手续",
    "grid_works": "电网配套工程实施",
    "contract_energize": "签订合同、正式接电",
    "drawing_review": "图纸审查",
    "mid_inspection": "中间检查",
    "contract_inspection": "签订合同、竣工检验",
}

# Every node of every category is reached from here (the order exists once it is received).
ENTRY_NODE = "acceptance"
# R1: the supply contract may be signed online once this node (the supply plan's answer) is done; the
# contract states what the plan settled. Every category of the notice's Attachment 1 has it.
SUPPLY_PLAN_NODE = "survey_plan"

# The responsible roles (责任人) and owning departments (归口部门) a node may name; the accounts app
# grants the same codes to users.
ROLES = {
    "acceptance_clerk": "业务受理人员",
    "customer_manager": "客户经理",
    "project_manager": "项目经理",
}
DEPARTMENTS = {
    "marketing_service": "营销服务部",
    "production_technology": "生产技术部",
}

# The events a regulation may name: those of the order's event registry (yekuo/orders/events.py) marked
# `regulation`, the one list of event types.
EVENTS = REGULATION_TYPES

# Events that may start a clock, and the nodes whose clock each may start (None: any node, subject to
# the graph checks). A customer event belongs to the customer-side work it reports: a design document
# can only start a drawing review, never, say, the grid works.
START_EVENTS: dict[str, frozenset[str] | None] = {
    "order.received": frozenset({ENTRY_NODE}),
    "node.completed": None,
    "customer.design_submitted": frozenset({"drawing_review"}),
    "customer.inspection_requested": frozenset({"mid_inspection"}),
    "customer.works_completed": frozenset({"contract_inspection", "contract_energize"}),
}
# A clock stops only when work is done; cancellation ends every clock and is declared once in [rules].
STOP_EVENTS = frozenset({"node.completed"})
# Events that carry a node code in their payload.
NODE_EVENTS = frozenset({"node.completed"})

# Conditions that select a limit: the values each may take, in display order, and the event that
# decides it. "pending" is the value until the deciding event arrives.
CONDITIONS: dict[str, dict] = {
    "low_risk": {"values": ("true", "false", "pending"), "decided_by": "approval.decided"},
}

# Fixed settings of the [rules] table: what each key may be.
RULE_CHOICES = {
    "unit": ("working_day",),
    "zero_limit": ("same_working_day",),
    "counting": ("working_minutes",),
    "suspend_on": ("suspension.started",),
    "resume_on": ("suspension.ended",),
    "cancel_on": ("order.cancelled",),
}

# R8: limits are counted with half-day precision.
LIMIT_STEP = 0.5
