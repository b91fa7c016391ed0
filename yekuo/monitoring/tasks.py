"""The periodic warning scan (R9): every YEKUO_MONITOR_SCAN_MINUTES minutes on the background worker.

Safe on several workers and machines at once (scan.py); a scan that finds nothing new does nothing."""

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from yekuo.monitoring.scan import scan


@db_periodic_task(crontab(minute=f"*/{min(settings.YEKUO_MONITOR_SCAN_MINUTES, 60)}"))
def warning_scan():
    return scan().line()
