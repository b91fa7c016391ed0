"""The counter form's side of R2: ask the services for what the clerk entered, lock what they returned, and
store the answers with the new order (yekuo/web/views/orders.order_create)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from yekuo.common.errors import InvalidInput
from yekuo.partners import services
from yekuo.partners.models import VerificationKind, VerificationState

FIELDS = {VerificationKind.ELICENCE: "credit_code", VerificationKind.IDENTITY: "identity_ref"}


def ask_for_form(form, post) -> dict[str, services.Outcome]:
    """Ask each service the form names (a well-formed subject only: the form reports a malformed one). A
    licence found locks the company name on the form; a licence not registered is the form's error."""
    asked = {}
    for kind, name in FIELDS.items():
        raw = (post.get(name) or "").strip()
        if not raw:
            continue
        try:
            services.check_subject(kind, raw)
        except InvalidInput as error:
            form.partner_errors = {**getattr(form, "partner_errors", {}), name: error.message}
            continue
        asked[kind] = outcome = services.verification_ask(kind, raw)
        if kind == VerificationKind.ELICENCE:
            if outcome.verified:
                form.lock_licence(outcome.data)
            elif outcome.state == VerificationState.NOT_FOUND:
                form.partner_errors = {
                    **getattr(form, "partner_errors", {}),
                    name: _("电子证照中查无此统一社会信用代码"),
                }
    return asked


def order_data(data: dict, cleaned: dict) -> dict:
    """The order's fields with what the credit code gives: the code is the enterprise's certificate number
    (customer_id_number, when none was entered) and, while the licence service has not answered, its name
    stands in for the company's (replaced once it answers: services.verification_retry)."""
    code = (cleaned.get("credit_code") or "").strip().upper()
    if not code:
        return data
    return {
        **data,
        "customer_id_number": data.get("customer_id_number") or code,
        "customer_name": data.get("customer_name") or services.placeholder_name(code),
    }


def record_for_order(order, asked: dict, *, actor) -> None:
    for outcome in asked.values():
        services.verification_record(order, outcome, actor=actor)
