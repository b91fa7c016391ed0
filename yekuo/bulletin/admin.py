"""Admin, read-only: the bulletin's revisions (immutable), the assessment schemes (a version is immutable; load
new ones with `yekuo assessment load`) and the months' scores, which change only through the services."""

from django.contrib import admin

from yekuo.bulletin.models import Assessment, ReportRun, ScoringScheme
from yekuo.orders.admin import ReadOnly


@admin.register(ReportRun)
class ReportRunAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("month", "revision", "company", "created_at", "created_by", "source", "checksum")
    list_filter = ("month", "source")
    exclude = ("data",)  # the snapshot is large: read it on the page or in its files


@admin.register(ScoringScheme)
class ScoringSchemeAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("code", "document", "effective_from", "loaded_at")


@admin.register(Assessment)
class AssessmentAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("month", "company", "scheme", "report", "computed_at", "confirmed_at", "confirmed_by")
    list_filter = ("month",)
