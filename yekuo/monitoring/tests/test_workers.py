"""Scans at once (R9): several workers, on several machines, raise each level once and send it once.

The scan's insert skips rows the partial unique constraint already holds and its resolution updates only
open rows; the notifier claims with SKIP LOCKED and a conditional update (scan.py, notify.py). The first
test forces the worst interleaving on any database; the others run real concurrent workers on PostgreSQL
(threads with a barrier, then two `yekuo monitor scan` processes sharing Redis), as CI's PostgreSQL run does.
"""

import os
import subprocess
import sys
import threading

import pytest
from django.conf import settings
from django.db import connection, connections
from django.db.models import Count

from yekuo.monitoring import scan as scan_module
from yekuo.monitoring.models import ClockWarning, InboxMessage, WarningNotice
from yekuo.monitoring.scan import scan
from yekuo.workcal.tests.conftest import at

from .conftest import create

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent workers need PostgreSQL")


def assert_once_each():
    duplicated = (
        ClockWarning.objects.filter(resolved_at__isnull=True)
        .values("clock", "node_code", "level", "episode")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not duplicated.exists()
    assert ClockWarning.objects.filter(notified_at__isnull=True).count() == 0
    sent = WarningNotice.objects.values("warning", "user", "channel").annotate(n=Count("pk")).filter(n__gt=1)
    assert not sent.exists()


@pytest.mark.django_db
def test_a_scan_overtaken_by_another_raises_nothing_twice(cast, monkeypatch):
    for hour in ("09:00", "09:30", "10:00"):
        create(cast, f"2026-11-02 {hour}")
    real = scan_module._open_warnings
    other = {}

    def stale_then_overtaken(clock_ids):
        found = real(clock_ids)  # this worker has read the open warnings (none) ...
        if not other:
            other["started"] = True
            other["result"] = scan(at("2026-11-03 09:00"))  # ... when another worker scans to the end
        return found

    monkeypatch.setattr(scan_module, "_open_warnings", stale_then_overtaken)
    late = scan(at("2026-11-03 09:00"))
    assert other["result"].raised == 7 and late.raised == 0 and late.notified == 0
    assert ClockWarning.objects.count() == 7
    assert_once_each()


@pytest.fixture
def live_cast(transactional_db):
    from yekuo.accounts.testing import make_cast
    from yekuo.common.testing import reload_reference_data

    reload_reference_data()
    return make_cast()


def orders(cast, n):
    hours = ["09:00", "09:30", "10:00", "10:30", "11:00"]
    days = ["2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"]
    made = []
    for i in range(n):
        made.append(create(cast, f"{days[i % len(days)]} {hours[i % len(hours)]}", customer_name=f"客户{i}"))
    return made


@on_postgresql
@pytest.mark.slow
def test_two_worker_threads_at_once(live_cast):
    orders(live_cast, 20)
    barrier = threading.Barrier(2)
    results = [None, None]

    def worker(i):
        try:
            barrier.wait(timeout=10)
            results[i] = scan(at("2026-11-09 09:00"), worker=f"thread-{i}")
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(not isinstance(r, Exception) for r in results), results
    assert sum(r.raised for r in results) == ClockWarning.objects.count() == 60
    assert sum(r.notified for r in results) == 60
    assert_once_each()


@on_postgresql
@pytest.mark.slow
@pytest.mark.skipif(not settings.REDIS_URL, reason="the workers share their queue in Redis")
def test_two_scan_processes_at_once(live_cast):
    orders(live_cast, 40)
    db = connection.settings_dict
    url = f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": settings.REDIS_URL, "YEKUO_QUIET_HOURS": "off"}
    command = [sys.executable, "-m", "yekuo.cli", "monitor", "scan", "--at", "2026-11-09T09:00:00+08:00"]
    workers = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]  # fmt: skip
    outputs = [worker.communicate(timeout=300) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    raised = [int(out.split(" raised")[0].rsplit(" ", 1)[1]) for out, _err in outputs]
    assert sum(raised) == ClockWarning.objects.count() == 120
    assert_once_each()
    assert InboxMessage.objects.count() == WarningNotice.objects.filter(channel="inbox").count()
