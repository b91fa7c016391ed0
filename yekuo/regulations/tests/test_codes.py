"""The regulation vocabulary's events come from the order's event registry (REQUIREMENTS R16): one list."""

from yekuo.orders.events import EVENT_TYPES
from yekuo.regulations import codes


def test_the_events_a_regulation_may_name_are_the_registrys():
    assert codes.EVENTS == {code for code, kind in EVENT_TYPES.items() if kind.regulation}
    # What only yekuo or a reviewer writes, or what creates the order, is never a regulation's to name.
    assert not codes.EVENTS & {"order.created", "calendar.recomputed", "suspension.approved", "entry.reviewed"}


def test_every_event_the_vocabulary_uses_is_registered():
    named = set(codes.START_EVENTS) | codes.STOP_EVENTS | codes.NODE_EVENTS
    named |= {condition["decided_by"] for condition in codes.CONDITIONS.values()}
    named |= {value for key in ("suspend_on", "resume_on", "cancel_on") for value in codes.RULE_CHOICES[key]}
    assert named <= codes.EVENTS
