"""Admin: the configurable problem categories of a return visit (R11), and read-only views of the visits
(they change through the services: the pages, the import, the plan)."""

from django.contrib import admin

from yekuo.orders.admin import ReadOnly
from yekuo.visits.models import ProblemCategory, Visit


@admin.register(ProblemCategory)
class ProblemCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "position", "active")
    list_filter = ("active",)
    search_fields = ("code", "name", "name_en")

    def has_delete_permission(self, request, obj=None):
        return False  # a category used by past problems stays; deactivate it instead


@admin.register(Visit)
class VisitAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("month", "order", "branch", "category", "assignee", "visited_at", "reached", "satisfaction")
    list_filter = ("month", "branch", "reached", "channel")
    search_fields = ("order__number",)
    raw_id_fields = ("order",)
