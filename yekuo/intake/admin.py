"""Admin: platforms (route, account, enabled) and their keys (read-only: issue, rotate and revoke with
`yekuo platforms`, which shows a new secret once), the applications (read-only) and their documents (read-only,
with a fetch again for those that failed or were refused)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from yekuo.intake import documents
from yekuo.intake.models import Application, ApplicationDocument, Platform, PlatformKey


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


@admin.action(description=_("重新获取所选资料"))
def refetch_selected(modeladmin, request, queryset):
    count = documents.documents_refetch(queryset.values_list("pk", flat=True))
    modeladmin.message_user(request, _("%(count)d 份资料将重新获取。") % {"count": count}, messages.SUCCESS)


@admin.register(ApplicationDocument)
class ApplicationDocumentAdmin(admin.ModelAdmin):
    list_display = ("id", "application", "kind", "name", "state", "attempts", "fetched_at", "last_error")
    list_filter = ("state", "kind")
    search_fields = ("application__external_id", "application__order__number", "name")
    list_select_related = ("application__platform",)
    actions = [refetch_selected]
    readonly_fields = [f.name for f in ApplicationDocument._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
