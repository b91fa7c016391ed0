"""Results go back to the platform through the outbox (R3): accepted, returned, node progress, energized;
written with the change, delivered after commit to the platform's receiver, once per message."""

from datetime import timedelta

import pytest
from django.utils import timezone

from yekuo.intake import callbacks, services
from yekuo.intake.models import Application
from yekuo.intake.testing import application
from yekuo.orders import services as orders
from yekuo.orders.models import OrderEvent
from yekuo.outbox.models import Delivery, Destination, Message
from yekuo.outbox.testing import Receiver

SECRET = "callback-secret"


@pytest.mark.slow  # a local HTTP receiver in a thread
def test_a_dispatch_reaches_the_platform_once(push, cast, django_capture_on_commit_callbacks):
    assert push(application("CB-1")).status_code == 201
    app = Application.objects.get(external_id="CB-1")
    with Receiver(secret=SECRET) as receiver:
        Destination.objects.create(code="approval_platform", name="审批平台", url=receiver.url, secret=SECRET)
        with django_capture_on_commit_callbacks(execute=True):
            services.application_dispatch(app, actor=cast.dispatcher)
        assert receiver.effects == 1 and receiver.bad_signatures == 0
        (envelope,) = receiver.seen.values()
    assert envelope["kind"] == "application.accepted"
    assert envelope["payload"]["application_id"] == "CB-1" and envelope["payload"]["branch"] == "east"
    assert Delivery.objects.get(message__key="application:approval_platform:CB-1:accepted").state == "delivered"


def test_a_rolled_back_decision_sends_nothing(push, cast, monkeypatch):
    assert push(application("CB-2")).status_code == 201
    app = Application.objects.get(external_id="CB-2")

    def fail(order, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services.orders, "order_receive", fail)
    with pytest.raises(RuntimeError):
        services.application_dispatch(app, actor=cast.dispatcher)
    assert not Message.objects.exists()
    app.refresh_from_db()
    assert app.state == "queued"


def test_node_progress_and_energizing_are_relayed_once(push, cast, callbacks_sent):
    assert push(application("CB-3")).status_code == 201
    app = Application.objects.get(external_id="CB-3")
    services.application_dispatch(app, actor=cast.dispatcher)
    order = app.order
    orders.node_complete(order, actor=cast.clerk, node="acceptance")
    orders.node_complete(order, actor=cast.customer_manager, node="survey_plan")
    # Energize the rest of the way (lv_resident: grid works, then contract and connection).
    for node, who in (("grid_works", cast.project_manager), ("contract_energize", cast.customer_manager)):
        try:
            orders.node_complete(order, actor=who, node=node)
        except Exception:
            break
    callbacks_sent.clear()
    later = timezone.now() + timedelta(seconds=callbacks.RELAY_LAG_SECONDS + 1)
    sent = callbacks.relay_progress(now=later)
    completed = OrderEvent.objects.filter(order=order, type="node.completed").count()
    kinds = [kind for _, kind, _, _ in callbacks_sent]
    assert kinds.count("order.node_completed") == completed == 4 and sent == len(kinds) == 5
    order.refresh_from_db()
    assert order.status == "energized" and kinds[-1] == "order.energized"
    assert callbacks.relay_progress(now=later) == 0  # the cursor moved on: nothing twice
    assert Message.objects.filter(kind="order.node_completed").count() == completed


def test_recent_events_wait_for_the_lag(push, cast, callbacks_sent):
    assert push(application("CB-4")).status_code == 201
    app = Application.objects.get(external_id="CB-4")
    services.application_dispatch(app, actor=cast.dispatcher)
    orders.node_complete(app.order, actor=cast.clerk, node="acceptance")
    callbacks_sent.clear()
    assert callbacks.relay_progress() == 0  # recorded just now: a later run takes it
    assert callbacks.relay_progress(now=timezone.now() + timedelta(minutes=1)) == 1
