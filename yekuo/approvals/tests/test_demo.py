"""The demo's filings and approval submissions reach the construction-approval platform's simulator: the
demo sets up the partners' destinations before it records them, so they are not parked on a disabled
destination without an address (`outbox.services.enqueue` creates an unknown one so)."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from yekuo.outbox.models import Delivery

pytestmark = pytest.mark.django_db


def test_the_demo_s_platform_messages_go_to_the_simulator():
    call_command("demo", "--orders", "24", stdout=StringIO())
    deliveries = Delivery.objects.filter(message__kind__in=("approval.filed", "approval.submitted"))
    assert deliveries.exists()
    for delivery in deliveries.select_related("destination"):
        destination = delivery.destination
        assert destination.code == "approval_platform"
        assert destination.enabled, "the filing would wait forever on a disabled destination"
        assert destination.url == f"{settings.YEKUO_PLATFORM_CALLBACK_URL}/approval_platform"


def test_a_filing_reaches_the_platform_simulator_signed(cast, settings):
    """The filing goes through the outbox to the construction-approval platform's simulator (`yekuo simulate
    platform`, its callback server) over HTTP, signed, once; the works page then shows it delivered."""
    from yekuo.approvals import filing
    from yekuo.approvals.tests.test_works import decide, planned
    from yekuo.approvals.view_model import works_state
    from yekuo.intake.simulators.platform import CallbackServer
    from yekuo.outbox import services as outbox
    from yekuo.outbox.seed import seed_destinations
    from yekuo.web.tests.helpers import IMPORT
    from yekuo.workcal.tests.conftest import at

    server = CallbackServer("127.0.0.1", 0, secret=settings.YEKUO_PARTNER_SECRET, quiet=True).start()
    try:
        host, port = server.httpd.server_address[:2]
        seed_destinations(f"http://{host}:{port}")
        order = planned(cast)
        decide(order, cast.project_manager, "2026-11-02 11:30")
        record = filing.filing_record(order, actor=cast.project_manager, occurred_at=at("2026-11-02 15:00"),
                                      source=IMPORT)  # fmt: skip
        outbox.deliver_due()
        assert server.kinds == {"approval.filed": 1}  # a bad signature would have been answered 401
        envelope = server.seen[record.message_id]
        assert envelope["payload"]["letter_number"] == f"BA{order.number}"
        assert envelope["payload"]["facts"]["excavation_m"] == 500
        assert [m["state"] for m in works_state(order)["platform"]] == ["delivered"]
    finally:
        server.stop()
