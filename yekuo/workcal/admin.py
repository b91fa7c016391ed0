"""Admin: the calendar is read-only here (it changes through `yekuo calendar load`); office hours are
added through the service's validation and never edited (a new schedule never changes the past)."""

from django import forms
from django.contrib import admin

from yekuo.common.errors import YekuoError
from yekuo.workcal.models import CalendarDay, CalendarYear, OfficeHours
from yekuo.workcal.office_hours import parse_seasons


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "provisional", "source", "document", "loaded_at")
    list_filter = ("provisional",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarDay)
class CalendarDayAdmin(CalendarYearAdmin):
    list_display = ("date", "working", "kind", "holiday_name", "provisional", "source")
    list_filter = ("kind", "working", "provisional")
    date_hierarchy = "date"
    search_fields = ("holiday_name",)


class OfficeHoursForm(forms.ModelForm):
    class Meta:
        model = OfficeHours
        fields = ("company", "name", "effective_from", "seasons")

    def clean(self):
        data = super().clean()
        from django.utils import timezone

        if data.get("effective_from") and data["effective_from"] <= timezone.localdate():
            self.add_error("effective_from", "必须晚于今天：新的作息时间不能改变已经计算过的工作时间")
        try:
            parse_seasons(data.get("seasons"))
        except YekuoError as exc:
            self.add_error("seasons", exc.message)
        return data


@admin.register(OfficeHours)
class OfficeHoursAdmin(admin.ModelAdmin):
    form = OfficeHoursForm
    list_display = ("company", "name", "effective_from", "created_at")
    list_filter = ("company",)

    def has_change_permission(self, request, obj=None):
        return obj is None  # add only: a schedule in force is never edited

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        from yekuo.workcal.services import office_hours_create

        hours = office_hours_create(
            company=obj.company, name=obj.name, effective_from=obj.effective_from, seasons=obj.seasons
        )
        obj.pk, obj.created_at = hours.pk, hours.created_at
