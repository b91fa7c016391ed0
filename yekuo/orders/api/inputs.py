"""What the orders API accepts: list filters, a new order, the body of each action, a control-layer event.

Validation of form only (types, codes, aware times); the rules of the workflow are the services'.
"""

from rest_framework import serializers

from yekuo.accounts.models import ServiceArea, User
from yekuo.common.api import AwareDateTimeField
from yekuo.orders.events import CUSTOMER_EVENTS, INGEST_TYPES
from yekuo.orders.models import CATEGORY_CHOICES, CHANNEL_CHOICES, OrderStatus, Voltage
from yekuo.orders.selectors import SORTS
from yekuo.regulations.codes import NODES


class OrderFilterSerializer(serializers.Serializer):
    """Query parameters of the order list; each narrows the list, all optional."""

    branch = serializers.SlugField(required=False, help_text="branch code")
    category = serializers.ChoiceField(choices=CATEGORY_CHOICES, required=False)
    channel = serializers.ChoiceField(choices=CHANNEL_CHOICES, required=False)
    status = serializers.ChoiceField(choices=OrderStatus.choices, required=False)
    node = serializers.ChoiceField(choices=list(NODES), required=False, help_text="orders where this node is active")
    alarm = serializers.ChoiceField(
        choices=["overdue", "warning", "any"], required=False, help_text="a running clock overdue / in warning"
    )
    created_from = serializers.DateField(required=False, help_text="created on or after this date (local)")
    created_to = serializers.DateField(required=False, help_text="created on or before this date (local)")
    q = serializers.CharField(required=False, max_length=100, help_text="number, customer name or address contains")
    sort = serializers.ChoiceField(
        choices=SORTS, required=False, help_text="created: newest first (default); deadline: soonest running deadline"
    )


class ActionSerializer(serializers.Serializer):
    """Fields every action takes."""

    occurred_at = AwareDateTimeField(required=False, help_text="when it happened, ISO 8601 with offset; default now")
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="why, when occurred_at is more than 30 minutes ago (the entry is flagged as back-dated)",
    )


class OrderCreateSerializer(ActionSerializer):
    category = serializers.ChoiceField(choices=CATEGORY_CHOICES)
    channel = serializers.ChoiceField(choices=CHANNEL_CHOICES)
    customer_name = serializers.CharField(max_length=100)
    customer_id_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    customer_phone = serializers.CharField(
        max_length=30, required=False, allow_blank=True, help_text="mobile or landline; or give customer_notice"
    )
    customer_notice = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="how the customer is told when there is no phone"
    )
    site_address = serializers.CharField(max_length=200)
    branch = serializers.SlugField(required=False, allow_blank=True, help_text="branch code")
    service_area = serializers.SlugField(
        required=False,
        allow_blank=True,
        help_text="service area code; without it and branch, proposed from the address",
    )
    capacity_kva = serializers.DecimalField(max_digits=10, decimal_places=1, min_value=0)
    voltage = serializers.ChoiceField(choices=Voltage.choices)
    receive = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="receive at once (default: counter and assisted)"
    )


class EditSerializer(ActionSerializer):
    """O8: only the fields given change; each is checked by the rules of a new order."""

    customer_name = serializers.CharField(max_length=100, required=False)
    customer_id_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    customer_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    customer_notice = serializers.CharField(max_length=200, required=False, allow_blank=True)
    site_address = serializers.CharField(max_length=200, required=False)
    service_area = serializers.SlugField(
        required=False, help_text="a service area code of the order's branch; without it a new address is placed"
    )
    capacity_kva = serializers.DecimalField(max_digits=10, decimal_places=1, min_value=0, required=False)
    voltage = serializers.ChoiceField(choices=Voltage.choices, required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, help_text="why")

    def validate_service_area(self, code):
        area = ServiceArea.objects.filter(branch=self.context["order"].branch, code=code).first()
        if area is None:
            raise serializers.ValidationError(f"no service area {code!r} in the order's branch")
        return area


class AssignSerializer(ActionSerializer):
    node = serializers.ChoiceField(choices=list(NODES))
    assignee = serializers.CharField(max_length=150, help_text="username of a user of the order's company")

    def validate_assignee(self, username):
        order = self.context["order"]
        user = User.objects.filter(username=username, is_active=True, company_id=order.branch.company_id).first()
        if user is None:
            raise serializers.ValidationError(f"no active user {username!r} in the order's company")
        return user


class CompleteNodeSerializer(ActionSerializer):
    node = serializers.ChoiceField(choices=list(NODES))
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class DecideApprovalSerializer(ActionSerializer):
    low_risk = serializers.BooleanField(help_text="R6: simple low-risk works (approval limit 0) or not (3)")
    inputs = serializers.DictField(
        required=False,
        help_text="the R6 facts it was decided on (docs/approvals.md: exactly those keys), checked and recorded",
    )


class CustomerEventSerializer(ActionSerializer):
    type = serializers.ChoiceField(choices=list(CUSTOMER_EVENTS))


class SuspendSerializer(ActionSerializer):
    reason_code = serializers.CharField(max_length=40, help_text="a configured suspension reason (I5)")
    evidence_note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    evidence_file = serializers.FileField(required=False, help_text="multipart/form-data only")


class CancelSerializer(ActionSerializer):
    cancel_reason = serializers.CharField(max_length=500)


class ReopenSerializer(ActionSerializer):
    reopen_reason = serializers.CharField(max_length=500)


class ReviewSuspensionSerializer(ActionSerializer):
    """I5: a second person approves or rejects a suspension awaiting review."""

    suspension = serializers.IntegerField(min_value=0, help_text="the suspension's position on the order (0-based)")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, help_text="required to reject")


class ReviewEntrySerializer(ActionSerializer):
    """I5: a second person checks a back-dated entry (confirmed, or disputed with a note)."""

    seq = serializers.IntegerField(min_value=1, help_text="the back-dated event's seq on the order")
    approved = serializers.BooleanField(help_text="true: checked and confirmed; false: disputed (needs a note)")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


# ------------------------------------------------------------------------------------------ control layer
class EventOrderSerializer(serializers.Serializer):
    external_ref = serializers.CharField(help_text="the order's reference in the source system")
    applied_at = serializers.CharField(required=False, help_text="ISO 8601 with offset; the order's creation time")
    category = serializers.ChoiceField(choices=CATEGORY_CHOICES, required=False)
    channel = serializers.ChoiceField(choices=CHANNEL_CHOICES, required=False)
    customer_name = serializers.CharField(required=False)
    customer_id_number = serializers.CharField(required=False)
    customer_phone = serializers.CharField(required=False)
    customer_notice = serializers.CharField(required=False, help_text="how the customer is told, without a phone")
    site_address = serializers.CharField(required=False)
    capacity_kva = serializers.DecimalField(max_digits=10, decimal_places=1, required=False)
    voltage = serializers.ChoiceField(choices=Voltage.choices, required=False)
    branch = serializers.CharField(required=False, help_text="branch code")
    service_area = serializers.CharField(required=False, help_text="service area code")


class EventInSerializer(serializers.Serializer):
    """One event of the source system (docs/api.md, "Control layer"); for documentation: the events
    endpoint validates each event itself so that one bad event never rejects the batch."""

    id = serializers.CharField(help_text="unique per source system; a repeated id is a duplicate")
    source_system = serializers.CharField(required=False, help_text='default "mbs"')
    type = serializers.ChoiceField(choices=list(INGEST_TYPES))
    at = serializers.CharField(help_text="ISO 8601 with offset: when it happened")
    order = EventOrderSerializer(help_text="order attributes are required on the first event of an order only")
    node = serializers.ChoiceField(choices=list(NODES), required=False, help_text="node.completed")
    low_risk = serializers.BooleanField(required=False, help_text="approval.decided")
    reason = serializers.CharField(required=False, help_text="suspension.started: reason code; cancel/reopen: why")
    evidence = serializers.CharField(required=False, help_text="suspension.started: evidence note")


class EventResultSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="applied, duplicate or rejected")
    index = serializers.IntegerField(help_text="position in the request (0-based)")
    id = serializers.CharField(required=False)
    type = serializers.CharField(required=False)
    order = serializers.CharField(required=False, help_text="yekuo order number")
    code = serializers.CharField(required=False, help_text="error code when rejected")
    message = serializers.CharField(required=False)
    field = serializers.CharField(required=False)


class EventSummarySerializer(serializers.Serializer):
    total = serializers.IntegerField()
    applied = serializers.IntegerField()
    duplicate = serializers.IntegerField()
    rejected = serializers.IntegerField()


class EventBatchResultSerializer(serializers.Serializer):
    summary = EventSummarySerializer()
    results = EventResultSerializer(many=True)
