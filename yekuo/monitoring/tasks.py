"""The periodic warning scan (R9): every YEKUO_MONITOR_SCAN_MINUTES minutes on the background worker.

Safe on several workers and machines at once (scan.py); a scan that finds nothing new does nothing."""

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from yekuo.monitoring.scan import scan


@db_periodic_task(crontab(minute=f"*/{min(settings.YEKUO_MONITOR_SCAN_MINUTES, 60)}"))
def warning_scan():
    return scan().line()


@db_periodic_task(crontab(minute=f"*/{min(settings.YEKUO_DASHBOARD_COUNT_MINUTES, 60)}"))
def dashboard_counts():
    """The control dashboard's counts (monitoring.counts), which its page reads."""
    from yekuo.monitoring.counts import refresh

    return refresh().took_ms


@db_periodic_task(crontab(hour="6-12", minute="5"))
def daily_statistics():
    """每日在途统计 (R10): each morning, once each company's working day has started, store the day's snapshot
    as of that start and send the overdue-warning list to the branch managers. Hourly from 06:05 to 12:05
    so that any office hours are covered and a missed run is made up; a day already stored is left alone
    (`yekuo monitor daily --date D` replaces one on purpose)."""
    from django.utils import timezone

    from yekuo.accounts.models import Company
    from yekuo.monitoring.daily import day_window, notify_branch_managers, store_day
    from yekuo.monitoring.models import DailySnapshot

    today, now, stored = timezone.localdate(), timezone.now(), 0
    for company in Company.objects.filter(branches__isnull=False).distinct():
        _start, at = day_window(company.code, today)
        if at > now or DailySnapshot.objects.filter(company=company, date=today).exists():
            continue
        store_day(company, today)
        stored += 1
    if stored:
        notify_branch_managers(today)
    return stored


@db_periodic_task(crontab(minute="*/15"))
def breach_risks():
    """The breach risk of every running clock (O12, monitoring.risk), every quarter of an hour."""
    from yekuo.monitoring.risk import refresh_risks

    return refresh_risks()
