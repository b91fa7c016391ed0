"""Admin, read-only: published rule sets (a version is immutable; load new ones with the CLI) and the
works' records of the orders (R6, R7), for administrators and auditors to look up."""

from django.contrib import admin

from yekuo.approvals.models import ApprovalRequest, Consultation, Filing, RuleSet, WorksDecision


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = ("code", "document", "effective_from", "loaded_at")
    search_fields = ("code", "document", "title")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnly(admin.ModelAdmin):
    """The works' records change only through the services (the order's log must agree with them)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorksDecision)
class WorksDecisionAdmin(ReadOnly):
    list_display = ("order", "low_risk", "classified_low_risk", "overridden", "rule_set", "recorded_by", "recorded_at")
    list_filter = ("overridden", "low_risk", "rule_set")
    search_fields = ("order__number", "override_reason")


@admin.register(Filing)
class FilingAdmin(ReadOnly):
    list_display = ("letter_number", "order", "filed_at", "filed_by", "message_id")
    search_fields = ("letter_number", "order__number")


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(ReadOnly):
    list_display = ("order", "submitted_at", "approved_at", "submitted_by")
    search_fields = ("order__number",)


@admin.register(Consultation)
class ConsultationAdmin(ReadOnly):
    list_display = ("order", "owner_kind", "owner_name", "requested_at", "answered_at")
    list_filter = ("owner_kind",)
    search_fields = ("order__number", "owner_name")
