"""The closed vocabularies of organisation and people (REQUIREMENTS R15, glossary §2).

The three responsible roles (责任人) and the two owning departments (归口部门) that a regulation file may
name come from `yekuo.regulations.codes`, so a node's owner and a user's role are the same code; the
accounts app adds the roles and the department that run and control the process around the nodes.
"""

from yekuo.regulations import codes as regulation_codes

# Display order is the order of work: the node owners first, then the people who control them.
ROLES: dict[str, str] = {
    **regulation_codes.ROLES,  # acceptance_clerk, customer_manager, project_manager
    "dispatcher": "调度员",
    "branch_manager": "分公司经理",
    "department_manager": "部门经理",
    "administrator": "系统管理员",
    "auditor": "审计员",
    # The account through which another system (the marketing business system) relays its events (O4).
    "integration": "系统接口账号",
}

# 客户服务中心 controls the whole process and dispatches platform orders (notice §1, R3); the other two
# own the nodes of Attachment 1.
DEPARTMENTS: dict[str, str] = {
    "customer_service_center": "客户服务中心",
    **regulation_codes.DEPARTMENTS,  # marketing_service, production_technology
}

# What a user may do with orders and the system; granted to roles in `permissions.ROLE_ACTIONS`.
ACTIONS: dict[str, str] = {
    "order.view": "查看工单",
    "order.create": "新建工单",
    "order.receive": "接收工单",
    "order.edit": "修改工单信息",
    "order.assign": "派单/指派责任人",
    "node.complete": "完成节点",
    "approval.decide": "认定低风险/审批结果",
    "approval.override": "调整低风险判定（须写明理由）",
    "customer.record": "登记客户事项",
    "order.suspend": "暂停计时",
    "order.resume": "恢复计时",
    "suspension.review": "审核暂停计时",
    "order.cancel": "撤销工单",
    "order.reopen": "重新开启工单",
    "order.export": "导出",
    "personal_data.reveal": "查看客户完整电话和证件号码",
    "audit.view": "查看审计记录",
    "event.ingest": "接收外部系统事件",
    "admin.manage": "系统管理",
    # R11: return visits (回访) — the month's plan, the visits, and the follow-up of the problems they find.
    "visit.view": "查看回访",
    "visit.plan": "制定回访计划",
    "visit.record": "登记回访",
    "visit.follow_up": "跟踪整改回访问题",
}
