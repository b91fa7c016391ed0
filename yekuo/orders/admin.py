"""Admin: the configurable suspension reasons (I5), and read-only views of orders and their logs.

Orders change only through the services (R16): the admin shows them but cannot add, change or delete.
"""

from django.contrib import admin

from yekuo.orders.models import (
    Clock,
    NodeInstance,
    OrderEvent,
    PersonalDataReveal,
    Suspension,
    SuspensionReason,
    WorkOrder,
)


@admin.register(SuspensionReason)
class SuspensionReasonAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "requires_evidence", "active")
    list_filter = ("active", "requires_evidence")
    search_fields = ("code", "name", "name_en")

    def has_delete_permission(self, request, obj=None):
        return False  # a reason used by past suspensions stays; deactivate it instead


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class NodeInline(ReadOnly, admin.TabularInline):
    model = NodeInstance
    fields = ("code", "state", "role", "ready_at", "completed_at", "assignee")
    extra = 0


class ClockInline(ReadOnly, admin.TabularInline):
    model = Clock
    fields = ("code", "state", "limit_days", "started_at", "deadline_at", "completed_at", "provisional")
    extra = 0


class SuspensionInline(ReadOnly, admin.TabularInline):
    model = Suspension
    fields = ("reason", "started_at", "ended_at", "evidence_note", "evidence_file")
    extra = 0


class EventInline(ReadOnly, admin.TabularInline):
    model = OrderEvent
    fields = ("seq", "type", "occurred_at", "recorded_at", "actor", "source", "backdated", "reason", "payload")
    extra = 0


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("number", "customer_name", "category", "channel", "branch", "status", "created_at")
    list_filter = ("status", "category", "channel", "branch")
    search_fields = ("number", "customer_name", "site_address", "external_ref")
    date_hierarchy = "created_at"
    inlines = [NodeInline, ClockInline, SuspensionInline, EventInline]


@admin.register(OrderEvent)
class OrderEventAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("order", "seq", "type", "occurred_at", "recorded_at", "actor", "source", "backdated")
    list_filter = ("type", "source", "backdated")
    search_fields = ("order__number", "idempotency_key")
    list_select_related = ("order", "actor")


@admin.register(PersonalDataReveal)
class PersonalDataRevealAdmin(ReadOnly, admin.ModelAdmin):
    """Who saw which customer's personal data in full, when (O9): for auditors, never edited."""

    list_display = ("revealed_at", "user", "order", "field")
    list_filter = ("field",)
    search_fields = ("order__number", "user__username")
    date_hierarchy = "revealed_at"
    list_select_related = ("order", "user")
