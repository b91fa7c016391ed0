"""Admin, read-only: published rule sets (a version is immutable; load new ones with the CLI) and the
works' records of the orders (R6, R7), which change only through the services (the order's log must agree
with them), for administrators and auditors to look up."""

from django.contrib import admin

from yekuo.approvals.models import ApprovalRequest, Consultation, Filing, RuleSet, WorksDecision
from yekuo.orders.admin import ReadOnly


@admin.register(RuleSet)
class RuleSetAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("code", "document", "effective_from", "loaded_at")
    search_fields = ("code", "document", "title")


@admin.register(WorksDecision)
class WorksDecisionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("order", "low_risk", "classified_low_risk", "overridden", "rule_set", "recorded_by", "recorded_at")
    list_filter = ("overridden", "low_risk", "rule_set")
    search_fields = ("order__number", "override_reason")


@admin.register(Filing)
class FilingAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("letter_number", "order", "filed_at", "filed_by", "message_id")
    search_fields = ("letter_number", "order__number")


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("order", "submitted_at", "approved_at", "submitted_by")
    search_fields = ("order__number",)


@admin.register(Consultation)
class ConsultationAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("order", "owner_kind", "owner_name", "requested_at", "answered_at")
    list_filter = ("owner_kind",)
    search_fields = ("order__number", "owner_name")
