"""The working calendar (REQUIREMENTS I4, I7): calendar days, the years they came from, office hours."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    WEEKDAY = "weekday", _("工作日")
    WEEKEND = "weekend", _("周末")
    HOLIDAY = "holiday", _("法定节假日")
    MAKEUP = "makeup", _("调休上班")


class CalendarYear(models.Model):
    """Where a year's days came from: an official schedule (library or file) or the provisional rules."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    provisional = models.BooleanField(
        help_text="No official State Council schedule yet (I7): rule-based holidays, no make-up days.",
    )
    source = models.CharField(max_length=200)
    document = models.CharField(max_length=200, blank=True, help_text="The official notice, e.g. 国办发明电〔2025〕7号")
    loaded_at = models.DateTimeField(auto_now=True)
    checksum = models.CharField(max_length=64, blank=True, help_text="sha256 of the schedule file, if any")

    class Meta:
        ordering = ["year"]
        verbose_name = _("日历年度")
        verbose_name_plural = _("日历年度")

    def __str__(self) -> str:
        return f"{self.year} ({'provisional' if self.provisional else self.source})"


class CalendarDay(models.Model):
    date = models.DateField(primary_key=True)
    working = models.BooleanField()
    kind = models.CharField(max_length=10, choices=DayKind.choices)
    holiday_name = models.CharField(max_length=50, blank=True)
    source = models.CharField(max_length=200)
    provisional = models.BooleanField(default=False)

    class Meta:
        ordering = ["date"]
        verbose_name = _("日历日")
        verbose_name_plural = _("日历日")

    def __str__(self) -> str:
        return f"{self.date} {self.kind}{' ' + self.holiday_name if self.holiday_name else ''}"


class OfficeHours(models.Model):
    """A company's office hours from a date on (I4), with seasons.

    Effective-dated and never edited once in force, so that a new schedule never changes a result
    computed in the past. `seasons` is a list of
    {"name": "夏季", "from": "05-01", "to": "09-30", "blocks": [["08:30", "12:00"], ["15:00", "18:30"]]}
    covering every day of the year once; every season has the same working minutes per day, so that
    "N working days" is one budget whatever the season.
    """

    company = models.CharField(max_length=32, default="default", help_text="Company code")
    name = models.CharField(max_length=100)
    effective_from = models.DateField()
    seasons = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["company", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["company", "effective_from"], name="officehours_one_per_day"),
        ]
        verbose_name = _("作息时间")
        verbose_name_plural = _("作息时间")

    def __str__(self) -> str:
        return f"{self.company} {self.name} from {self.effective_from}"


class CalendarRevision(models.Model):
    """A token renewed by every calendar or office-hours change, so cached work tables know to rebuild.

    A random token rather than a counter: a counter returns to an old value when a transaction rolls
    back, and a table cached inside that transaction would then pass for current.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.CharField(max_length=32, default="")
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"calendar revision {self.token}"
