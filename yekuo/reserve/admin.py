"""Admin: the reserve library, read-only (writes go through the services and the /reserve/ pages, which keep
each project's history, R5)."""

from django.contrib import admin

from yekuo.reserve.models import Project


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "investor_name", "investor_code", "branch", "stage", "source", "order", "identified_at")
    list_filter = ("stage", "source", "branch")
    search_fields = ("name", "investor_name", "investor_code", "order__number")
    readonly_fields = [f.name for f in Project._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
