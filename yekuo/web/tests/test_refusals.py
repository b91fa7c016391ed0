"""Every refusal the order services can raise has its page wording (O5): Chinese msgid, names not codes,
times in Asia/Shanghai; English with the switch."""

import ast
from pathlib import Path

import pytest
from django.utils import translation

from yekuo.common.errors import InvalidInput
from yekuo.regulations.selectors import regulation_get
from yekuo.web.refusals import localize, page_message

ROOT = Path(__file__).resolve().parents[2]
# The modules whose refusals reach the order pages' forms (actions, the counter form, the review page).
SOURCES = [
    "orders/projection.py",
    "orders/services/write.py",
    "orders/services/actions.py",
    "orders/suspension_review.py",
    "orders/entry_review.py",
    "orders/assignment.py",
    "orders/events.py",
    "accounts/permissions.py",
    # the works page's forms (R6, R7)
    "approvals/works.py",
    "approvals/filing.py",
    "approvals/approval.py",
    "approvals/consultation.py",
    # the return visits' plan, record and follow-up forms (R11)
    "visits/services.py",
]
ERROR_NAMES = {"WorkflowError", "InvalidInput", "Forbidden", "Conflict", "AssigneeOutOfScope", "YekuoError"}


def sample(node: ast.expr) -> str:
    """A message as the f-string would make it, each value replaced by one of its kind."""
    if isinstance(node, ast.Constant):
        return str(node.value)
    parts = []
    for part in node.values:
        if isinstance(part, ast.Constant):
            parts.append(str(part.value))
            continue
        source = ast.unparse(part.value)
        if "message" in source:  # a refusal wrapped with its event and time
            parts.append("the order is not suspended")
        elif "MINUTES" in source or "position" in source:
            parts.append("30")
        elif "isoformat" in source or "_local" in source:
            parts.append("2026-11-02T10:00:00+08:00")
        elif "type" in source:
            parts.append("node.completed")
        elif "status" in source:
            parts.append("cancelled")
        elif "join" in source:
            parts.append("acceptance, survey_plan")
        else:
            parts.append("acceptance")
    return "".join(parts)


def raised_messages() -> list[tuple[str, str]]:
    found = []
    for name in SOURCES:
        tree = ast.parse((ROOT / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            call = None
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                call = node.exc
                if getattr(call.func, "id", None) not in ERROR_NAMES:
                    continue
                message = call.args[0] if call.args else None
            elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_text":
                message = node.args[2]
            else:
                continue
            if isinstance(message, ast.Constant | ast.JoinedStr):
                found.append((name, sample(message)))
    return found


def test_the_sources_are_found():
    messages = raised_messages()
    assert len(messages) > 40
    assert any("cannot come yet" in m for _, m in messages)


@pytest.mark.parametrize(("source", "message"), raised_messages())
def test_every_refusal_has_a_page_wording(source, message):
    with translation.override("zh-hans"):
        shown = localize(message)
    assert shown is not None, f"{source}: no wording for {message!r}"
    assert "T10:00" not in shown


@pytest.mark.django_db
def test_names_and_times_are_shown_not_codes():
    spec = regulation_get("ordos-2022-64").category("hv10_single")
    message = (
        "YK2026110001: customer.works_completed at 2026-11-02T02:00:00+00:00: customer.works_completed cannot come "
        "yet: it starts completion_check (竣工检验), and grid_works (电网配套工程实施) has not begun; the "
        "customer-side steps run beside the supporting works (Attachment 1, D1)"
    )
    with translation.override("zh-hans"):
        shown = localize(message, spec)
    assert shown.startswith("现在还不能登记“客户侧工程完工”")
    assert "电网配套工程实施" in shown and "grid_works" not in shown
    with translation.override("zh-hans"):
        shown = localize("node survey_plan cannot be completed before acceptance", spec)
        late = localize("node acceptance was already completed at 2026-11-02T02:00:00+00:00", spec)
    assert "acceptance" not in shown and "survey_plan" not in shown
    assert "2026-11-02 10:00" in late  # UTC 02:00 is 10:00 in Asia/Shanghai


def test_a_field_prefix_is_not_taken_for_an_order_number():
    with translation.override("zh-hans"):
        shown = localize("inputs: obstacles: must be true or false, not the string 'no'")
    assert shown.startswith("审批认定依据有误")


def test_an_unknown_english_refusal_is_never_shown_raw_on_a_chinese_page():
    error = InvalidInput("something nobody wrote a wording for")
    with translation.override("zh-hans"):
        assert "nobody" not in page_message(error, error.message)
    with translation.override("en"):
        assert page_message(error, error.message) == error.message


def test_a_message_already_in_the_reader_s_language_is_kept():
    error = InvalidInput("请填写客户名称", field="customer_name")
    with translation.override("zh-hans"):
        assert page_message(error, error.message) == "请填写客户名称"
