"""Admin: the warnings and what was sent (read only), and the users' channel choices (R9, R10)."""

from django.contrib import admin

from yekuo.monitoring.models import ClockWarning, NotificationPreference, ScanRun, WarningNotice


class NoticeInline(admin.TabularInline):
    model = WarningNotice
    extra = 0
    can_delete = False
    readonly_fields = ("user", "tier", "channel", "target", "outbox_id", "created_at")


@admin.register(ClockWarning)
class ClockWarningAdmin(admin.ModelAdmin):
    list_display = ("order", "node_code", "level", "due_at", "raised_at", "resolved_at", "resolution", "notified_at")
    list_filter = ("level", "resolution", "provisional")
    search_fields = ("order__number",)
    date_hierarchy = "raised_at"
    inlines = [NoticeInline]
    readonly_fields = [f.name for f in ClockWarning._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "channels", "updated_at")
    search_fields = ("user__username", "user__full_name")


@admin.register(ScanRun)
class ScanRunAdmin(admin.ModelAdmin):
    list_display = ("started_at", "finished_at", "worker", "candidates", "raised", "resolved", "notified")
    readonly_fields = ("worker", "started_at", "finished_at", "candidates", "raised", "resolved", "notified")

    def has_add_permission(self, request):
        return False
