"""Admin: published rule sets, read-only (a version is immutable; load new ones with the CLI)."""

from django.contrib import admin

from yekuo.approvals.models import RuleSet


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
