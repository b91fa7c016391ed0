"""What every page shares: the action check (403) and service errors turned into form errors."""

from django.core.exceptions import PermissionDenied

from yekuo.accounts.permissions import can
from yekuo.common.errors import YekuoError
from yekuo.web import labels
from yekuo.web.refusals import page_message


def require_action(user, action: str) -> None:
    """403 for a signed-in user whose roles do not grant the action (R15); scope is applied by the
    querysets (an order out of scope is a 404, which does not reveal that it exists)."""
    if not can(user, action):
        raise PermissionDenied(action)


# The services name the field they refuse; some of their names differ from the form's.
FIELD_ALIASES = {"evidence": "evidence_note", "type": None, "reason": "reason"}


def add_service_error(form, error: YekuoError, spec=None) -> None:
    """Show a service's refusal on the form: on the field it names when the form has it, else on top.
    A refusal of several fields (`validation.FieldErrors`) shows each next to its field. Each message is
    in the page's language, with its times in Asia/Shanghai (`refusals`); `spec`, the order's regulation
    category, names its nodes."""
    errors = getattr(error, "errors", None) or {error.field: [error.message]}
    for name, messages in errors.items():
        field = FIELD_ALIASES.get(name, name) if name else None
        on_field = field in form.fields
        for message in messages:
            message = page_message(error, message, spec)
            kind = labels.ERROR_KINDS.get(error.code)
            # Next to its field the message speaks for itself; on top, it says what kind of refusal it is.
            text = (
                message if on_field and error.code == "invalid_input" else (f"{kind}：{message}" if kind else message)
            )
            form.add_error(field if on_field else None, text)
