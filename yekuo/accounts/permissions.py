"""Who may do what: one declarative matrix from roles to actions (REQUIREMENTS R15).

The notice names the responsible roles of each node (Attachment 1, column 责任人) and gives the customer
service center the control of the whole process and the dispatch of platform orders (notice §1, R3);
everything else here is an **interpretation**, chosen for a utility's separation of duties:

- Every staff role may view orders (`order.view`): nobody can work or control what they cannot see.
  *Where* they may view is the scope (`scope.restrict`), not the role.
- `acceptance_clerk` (业务受理人员) takes orders in: creates counter orders, receives dispatched ones,
  completes its nodes (受理) and suspends/resumes the clock when the customer is responsible (I5).
- `customer_manager` / `project_manager` (客户经理 / 项目经理) work the later nodes: complete them, decide
  the approval condition (R6, `approval.decided`), record what the customer did (design submitted,
  inspection requested, works completed) and suspend/resume.
- `dispatcher` (调度员, customer service center) reviews the platform queue: views, creates, receives and
  assigns (dispatches) orders to branches and people (R3). It does not work nodes. It is also the customer
  service center's visitor (回访员, R11): it plans the month's return visits, makes and records them and
  follows up the problems found, which the branch and department managers and the customer manager follow
  up too; the auditor reads them.
- `branch_manager` / `department_manager` (分公司经理 / 部门经理) control: view, (re)assign, cancel, reopen
  and export. The branch manager and the customer service center's dispatcher are the second person who
  approves or rejects a suspension under review (`suspension.review`, I5: a worker's own
  suspension, a back-dated one or a long one). They do not work nodes themselves, so a manager cannot
  close a clock on someone's behalf. They may override the R6 classification of a works with a reason
  (`approval.override`, which records `approval.decided`, hence also `approval.decide`); the override is
  flagged for the monthly normativity check.
- `auditor` (审计员) only views and exports (R12, R16): read-only by design; it also reads the audit records
  (`audit.view`), e.g. who revealed which customer's personal data.
- `personal_data.reveal` (O9): the customer's full phone and ID number, shown on the order page
  with one click and recorded, to the roles that talk to the customer — the clerk at the counter, the
  customer manager and the dispatcher of the customer service center (and administrators). Anyone assigned
  to one of the order's nodes may also reveal them for that order (`orders.personal_data`). Managers,
  auditors and project managers otherwise see them masked, as everyone does in lists and exports.
- `order.edit` (O8): correcting an order's customer and supply data (name, phone, ID number, address and
  service area, capacity, voltage) is for those who take the data from the customer — the clerk, the
  customer manager after the survey, the dispatcher — through the same data rules as a new order.
- `administrator` (系统管理员) may do everything, including `admin.manage` and `event.ingest`.
- `integration` (系统接口账号) is the account of another system, not a person: the marketing business system
  relays the events of the orders it owns through it (O4). It may view and relay (`event.ingest`),
  and nothing else: it cannot work a node through the staff actions, export or manage. Its relayed events
  are checked for scope, not for node roles (the other system decided who did the work; its event id and
  the relayed reason keep the trail, R16). Least privilege: the key of a leaked integration token cannot
  sign in to the admin site or close a clock by hand.

"node.complete (their nodes)": the matrix grants the *kind* of action; the orders services also check
that the node's owner role in the regulation is one of the user's roles (`has_role`), and the scope.
Superusers may do everything. Inactive and anonymous users may do nothing.
"""

from yekuo.accounts.codes import ACTIONS, ROLES
from yekuo.common.errors import Forbidden

_VIEW = {"order.view"}
_NODE_WORK = {"node.complete", "order.suspend", "order.resume"}
# Who talks to the customer: the counter, the customer manager and the customer service center (O9).
_REVEAL = {"personal_data.reveal"}
_CONTROL = {"order.view", "order.assign", "order.cancel", "order.reopen", "order.export"}
# R6: a manager may override the classification of a works with a reason (recorded as approval.decided).
_OVERRIDE = {"approval.decide", "approval.override"}
# R5: the reserve library is followed up by those who meet customers and plan the works, and their managers.
_RESERVE = {"reserve.manage"}
# R11: the customer service center plans and makes the return visits; the branches follow up what they find.
_VISIT_READ = {"visit.view"}
_VISIT_WORK = {"visit.view", "visit.plan", "visit.record", "visit.follow_up"}

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    "acceptance_clerk": frozenset(
        _VIEW | _NODE_WORK | _REVEAL | _RESERVE | {"order.create", "order.receive", "order.edit"}
    ),
    "customer_manager": frozenset(
        _VIEW
        | _NODE_WORK
        | _REVEAL
        | _RESERVE
        | {"approval.decide", "customer.record", "order.edit", "visit.view", "visit.follow_up"}
    ),
    "project_manager": frozenset(_VIEW | _NODE_WORK | _RESERVE | {"approval.decide", "customer.record"}),
    "dispatcher": frozenset(
        _VIEW
        | _REVEAL
        | _RESERVE
        | _VISIT_WORK
        | {"order.create", "order.receive", "order.edit", "order.assign", "suspension.review"}
    ),
    "branch_manager": frozenset(
        _CONTROL | _OVERRIDE | _RESERVE | _VISIT_READ | {"suspension.review", "visit.follow_up"}
    ),
    "department_manager": frozenset(_CONTROL | _OVERRIDE | _RESERVE | _VISIT_READ | {"visit.plan", "visit.follow_up"}),
    "administrator": frozenset(ACTIONS),
    "auditor": frozenset({"order.view", "order.export", "audit.view", "visit.view"}),
    "integration": frozenset({"order.view", "event.ingest"}),
}

assert set(ROLE_ACTIONS) == set(ROLES), "every role needs a row in ROLE_ACTIONS"
assert all(actions <= set(ACTIONS) for actions in ROLE_ACTIONS.values()), "unknown action in ROLE_ACTIONS"


def check_action(action: str) -> None:
    """A misspelt action is a programming error, never a silent denial."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; the actions are {', '.join(ACTIONS)}")


def is_working(user) -> bool:
    """An authenticated, active user (AnonymousUser and None are neither)."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def actions_of(user) -> frozenset[str]:
    """Every action the user may take (before scope)."""
    if not is_working(user):
        return frozenset()
    if user.is_superuser:
        return frozenset(ACTIONS)
    granted: set[str] = set()
    for code in user.role_codes:
        granted |= ROLE_ACTIONS.get(code, frozenset())
    return frozenset(granted)


def can(user, action: str) -> bool:
    """May the user take this action at all (their scope decides where; see `scope.restrict`)?"""
    check_action(action)
    return action in actions_of(user)


def require(user, action: str) -> None:
    """Raise `Forbidden` (code "forbidden") unless `can(user, action)`."""
    if not can(user, action):
        who = getattr(user, "username", "") or "anonymous"
        raise Forbidden(f"{who} may not {action} ({ACTIONS[action]})")


def has_role(user, role: str) -> bool:
    """Does the user hold this role (e.g. the owner role of a node)? Superusers hold every role."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    return is_working(user) and (user.is_superuser or role in user.role_codes)
