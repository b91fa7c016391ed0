"""What every page shares: the action check (403) and service errors turned into form errors."""

from django.core.exceptions import PermissionDenied

from yekuo.accounts.permissions import can
from yekuo.common.errors import YekuoError
from yekuo.web import labels


def require_action(user, action: str) -> None:
    """403 for a signed-in user whose roles do not grant the action (R15); scope is applied by the
    querysets (an order out of scope is a 404, which does not reveal that it exists)."""
    if not can(user, action):
        raise PermissionDenied(action)


# The services name the field they refuse; some of their names differ from the form's.
FIELD_ALIASES = {"evidence": "evidence_note", "type": None, "reason": "reason"}


def add_service_error(form, error: YekuoError) -> None:
    """Show a service's refusal on the form: on the field it names when the form has it, else on top."""
    kind = labels.ERROR_KINDS.get(error.code)
    text = f"{kind}：{error.message}" if kind else error.message
    field = FIELD_ALIASES.get(error.field, error.field) if error.field else None
    form.add_error(field if field in form.fields else None, text)
