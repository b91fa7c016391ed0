"""Admin: platforms (route, account, enabled) and their keys (read-only: issue, rotate and revoke with
`yekuo platforms`, which shows a new secret once), and the applications (read-only)."""

from django.contrib import admin

from yekuo.intake.models import Application, Platform, PlatformKey


class KeyInline(admin.TabularInline):
    model = PlatformKey
    fields = ("key_id", "created_at", "expires_at", "revoked_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "channel", "route", "company", "enabled")
    list_filter = ("route", "enabled")
    inlines = [KeyInline]


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("external_id", "platform", "state", "order", "received_at", "decided_at")
    list_filter = ("platform", "state")
    search_fields = ("external_id", "order__number")
    readonly_fields = [f.name for f in Application._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
