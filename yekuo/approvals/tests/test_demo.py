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
