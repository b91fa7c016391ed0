"""What the orders API returns: lists (masked), the detail with nodes, clocks, suspensions and events.

Pure presentation: values come from the models and from `selectors.clock_view`; times are ISO 8601 in
Asia/Shanghai (+08:00).
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from yekuo.orders.models import WorkOrder
from yekuo.orders.selectors import clock_view, mask, time_split
from yekuo.orders.services import table_for
from yekuo.regulations.selectors import regulation_get

ORDER_FIELDS = (
    "number",
    "category",
    "channel",
    "status",
    "customer_name",
    "customer_id_number",
    "customer_phone",
    "site_address",
    "branch",
    "service_area",
    "capacity_kva",
    "voltage",
    "regulation_code",
    "low_risk",
    "created_at",
    "received_at",
    "closed_at",
    "source_system",
    "external_ref",
)


class OrderListSerializer(serializers.ModelSerializer):
    """An order in a list: ID number and phone masked (152********1234)."""

    branch = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="branch code")
    service_area = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="service area code (null: none recorded)"
    )
    capacity_kva = serializers.DecimalField(max_digits=10, decimal_places=1, coerce_to_string=False)
    customer_id_number = serializers.SerializerMethodField(help_text="masked")
    customer_phone = serializers.SerializerMethodField(help_text="masked")
    overdue = serializers.SerializerMethodField(help_text="a running clock is past its deadline (R9)")
    warning = serializers.SerializerMethodField(
        help_text="a running clock is past its warning time and none past its deadline (R9)"
    )

    class Meta:
        model = WorkOrder
        fields = (*ORDER_FIELDS, "overdue", "warning")

    def get_customer_id_number(self, order) -> str:
        return mask(order.customer_id_number)

    def get_customer_phone(self, order) -> str:
        return mask(order.customer_phone)

    def get_overdue(self, order) -> bool:
        return bool(getattr(order, "is_overdue", False))

    def get_warning(self, order) -> bool:
        return bool(getattr(order, "is_warning", False))


class NodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(help_text="the node's name in the order's regulation")
    name_en = serializers.CharField()
    stage = serializers.CharField()
    role = serializers.CharField(help_text="the role that works the node")
    department = serializers.CharField()
    clock = serializers.CharField(help_text="the clock that runs while the node is worked")
    state = serializers.ChoiceField(choices=["waiting", "active", "done", "cancelled"])
    ready_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    assignee = serializers.CharField(allow_null=True, help_text="username")


class ClockSerializer(serializers.Serializer):
    code = serializers.CharField()
    nodes = serializers.ListField(child=serializers.CharField())
    limit_days = serializers.FloatField(help_text="working days")
    condition_pending = serializers.BooleanField(help_text="the limit depends on a decision not yet taken (I2)")
    state = serializers.ChoiceField(choices=["not_started", "running", "paused", "done", "cancelled"])
    started_at = serializers.DateTimeField(allow_null=True)
    deadline_at = serializers.DateTimeField(allow_null=True)
    warn_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    used_days = serializers.FloatField(help_text="working days used, suspensions excluded")
    remaining_days = serializers.FloatField(allow_null=True, help_text="negative when overdue")
    overdue = serializers.BooleanField()
    warning = serializers.BooleanField()
    provisional = serializers.BooleanField(help_text="the deadline depends on a provisional calendar year (I7)")


class SuspensionSerializer(serializers.Serializer):
    reason = serializers.CharField(source="reason_id", help_text="reason code")
    reason_name = serializers.CharField(source="reason.name")
    evidence_note = serializers.CharField()
    evidence_file = serializers.SerializerMethodField()
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    position = serializers.IntegerField(help_text="what approve-suspension / reject-suspension name")
    review = serializers.CharField(
        help_text='I5: "" needs no review; pending (clocks run on), approved (paused from its start), rejected'
    )
    review_reasons = serializers.ListField(child=serializers.CharField(), help_text="self, backdated, long")

    def get_evidence_file(self, suspension) -> str | None:
        return suspension.evidence_file.name or None


class EventSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    type = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    recorded_at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    source = serializers.CharField()
    payload = serializers.JSONField()
    backdated = serializers.BooleanField()
    reason = serializers.CharField()


class TimeSplitSerializer(serializers.Serializer):
    """Working time from receipt to energization split by who held it (REQUIREMENTS I9, I5)."""

    utility_days = serializers.FloatField(help_text="working days during which at least one clock ran")
    customer_days = serializers.FloatField(help_text="the rest of the working days since receipt: suspended + waiting")
    suspended_days = serializers.FloatField(help_text="part of customer_days: suspensions (I5)")
    waiting_days = serializers.FloatField(
        help_text="part of customer_days: no clock ran, waiting for the customer's design, inspection request or works"
    )
    utility_minutes = serializers.IntegerField()
    customer_minutes = serializers.IntegerField()
    calendar_days = serializers.FloatField(help_text="calendar days from the application to measured_to")
    measured_to = serializers.DateTimeField(help_text="energization or cancellation; now while the order is open")
    ongoing = serializers.BooleanField(help_text="true while the order is open: the figures are so far")


class OrderDetailSerializer(OrderListSerializer):
    """An order with its nodes, clocks (measured now), suspensions and full event log (R8, R16). The phone
    and ID number are masked unless the view reveals them (context "revealed": recorded, REQUIREMENTS O9)."""

    customer_id_number = serializers.SerializerMethodField(help_text="in full when you may reveal it (recorded)")
    customer_phone = serializers.SerializerMethodField(help_text="in full when you may reveal it (recorded)")
    customer_notice = serializers.CharField(help_text="how the customer is told, when there is no phone")
    event_count = serializers.IntegerField()
    nodes = serializers.SerializerMethodField()
    clocks = serializers.SerializerMethodField()
    suspensions = SuspensionSerializer(many=True, read_only=True)
    events = serializers.SerializerMethodField()
    time = serializers.SerializerMethodField()

    class Meta(OrderListSerializer.Meta):
        fields = (*ORDER_FIELDS, "customer_notice", "event_count", "time", "nodes", "clocks", "suspensions", "events")

    def get_customer_id_number(self, order) -> str:
        return order.customer_id_number if self.context.get("revealed") else mask(order.customer_id_number)

    def get_customer_phone(self, order) -> str:
        return order.customer_phone if self.context.get("revealed") else mask(order.customer_phone)

    @extend_schema_field(TimeSplitSerializer)
    def get_time(self, order):
        split = time_split(order)
        return TimeSplitSerializer(
            {
                "utility_days": split.utility_days,
                "customer_days": split.customer_days,
                "suspended_days": split.suspended_days,
                "waiting_days": split.waiting_days,
                "utility_minutes": split.utility_seconds // 60,
                "customer_minutes": split.customer_seconds // 60,
                "calendar_days": split.calendar_days,
                "measured_to": split.until,
                "ongoing": split.ongoing,
            }
        ).data

    @extend_schema_field(NodeSerializer(many=True))
    def get_nodes(self, order):
        spec = regulation_get(order.regulation_code).category(order.category)
        rows = []
        for node in order.nodes.select_related("assignee").order_by("position"):
            node_spec = spec.node(node.code)
            rows.append(
                {
                    "code": node.code,
                    "name": node_spec.name,
                    "name_en": node_spec.name_en,
                    "stage": node_spec.stage,
                    "role": node.role,
                    "department": node.department,
                    "clock": node.clock_code,
                    "state": node.state,
                    "ready_at": node.ready_at,
                    "completed_at": node.completed_at,
                    "assignee": node.assignee.username if node.assignee else None,
                }
            )
        return NodeSerializer(rows, many=True).data

    @extend_schema_field(ClockSerializer(many=True))
    def get_clocks(self, order):
        table = table_for(order)
        rows = []
        for clock in order.clocks.order_by("position"):
            view = clock_view(clock, table=table)
            rows.append(
                {
                    **{name: getattr(view, name) for name in ClockSerializer._declared_fields if hasattr(view, name)},
                    "nodes": clock.nodes,
                }
            )
        return ClockSerializer(rows, many=True).data

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, order):
        return EventSerializer(order.events.select_related("actor").order_by("seq"), many=True).data
