"""Big order-list exports run as background jobs (P4): the threshold, the same workbook as the direct download,
the user's scope, the owner-only download, progress, failures and the daily clean-up."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from yekuo.exports import services
from yekuo.exports.models import ExportJob, ExportState
from yekuo.web import export
from yekuo.web.tests.helpers import complete, login, make_order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def worker(settings, tmp_path, monkeypatch):
    """Files go to a fresh data directory and "now" stands still, so that two exports of the same list measure
    the same times. Huey runs each task as it is queued in every test (the root conftest's `tasks_run_at_once`)."""
    settings.DATA_DIR = tmp_path
    settings.YEKUO_EXPORT_INLINE_ROWS = 1
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)


@pytest.fixture
def orders(cast):
    resident = make_order(cast, when=None)
    business = make_order(cast, category="lv_business", when="2026-11-02 09:00", customer_name="=李四商行")
    complete(business, cast.clerk, "acceptance", "2026-11-02 10:00")
    west = make_order(cast, branch=cast.west, when="2026-11-03 09:00", customer_name="王五")
    return resident, business, west


def rows_of(content: bytes) -> list[tuple]:
    return list(load_workbook(BytesIO(content)).active.iter_rows(values_only=True))


def start(client, user, cast, django_capture_on_commit_callbacks, query="channel=counter"):
    login(client, user, cast)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(f"/orders/export.xlsx?{query}")
    assert response.status_code == 302
    return ExportJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1])), response["Location"]


def download(client, job) -> bytes:
    response = client.get(f"/exports/{job.pk}/download/")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    return b"".join(response.streaming_content)


def test_threshold_switches_between_direct_download_and_job(client, cast, orders, settings):
    login(client, cast.auditor, cast)
    settings.YEKUO_EXPORT_INLINE_ROWS = 3  # three orders: still a direct download
    direct = client.get("/orders/export.xlsx?channel=counter")
    assert direct.status_code == 200 and direct["Content-Disposition"].startswith("attachment")
    assert not ExportJob.objects.exists()
    settings.YEKUO_EXPORT_INLINE_ROWS = 2
    job, location = start(client, cast.auditor, cast, _capture_none)
    assert location == f"/exports/{job.pk}/" and job.user == cast.auditor and job.query == "channel=counter"


class _capture_none:  # the threshold test does not need the job to run
    def __init__(self, execute):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_job_writes_the_same_workbook_as_the_direct_download(client, cast, orders, settings,
                                                              django_capture_on_commit_callbacks):  # fmt: skip
    job, location = start(client, cast.auditor, cast, django_capture_on_commit_callbacks, "channel=counter&sort=number")
    job.refresh_from_db()
    assert job.state == ExportState.DONE and job.rows_done == job.rows_total == 3 and job.finished_at
    page = client.get(location).content.decode()
    assert 'id="export-download"' in page and "hx-trigger" not in page  # done: no more polling
    settings.YEKUO_EXPORT_INLINE_ROWS = 100
    inline = client.get("/orders/export.xlsx?channel=counter&sort=number")
    expected = rows_of(b"".join(inline.streaming_content))
    assert rows_of(download(client, job)) == expected and len(expected) == 4
    # The customer's "=李四商行" stays text in both (O5): the speed-up keeps the formula rule.
    sheet = load_workbook(BytesIO(download(client, job))).active
    name = next(c for row in sheet.iter_rows() for c in row if c.value == "=李四商行")
    assert name.data_type == "s" and name.quotePrefix


def test_job_applies_the_users_scope(client, cast, orders, django_capture_on_commit_callbacks):
    resident, business, west = orders
    job, _location = start(client, cast.branch_manager, cast, django_capture_on_commit_callbacks, "")
    numbers = {row[0] for row in rows_of(download(client, job))[1:]}
    assert numbers == {resident.number, business.number} and west.number not in numbers  # east branch only


def test_another_user_can_neither_see_nor_download_the_job(client, cast, orders, django_capture_on_commit_callbacks):
    job, location = start(client, cast.auditor, cast, django_capture_on_commit_callbacks)
    login(client, cast.branch_manager, cast)
    assert client.get(location).status_code == 404
    assert client.get(f"/exports/{job.pk}/download/").status_code == 404
    client.logout()
    assert client.get(f"/exports/{job.pk}/download/").status_code == 302  # to the sign-in page


def test_progress_is_reported_while_the_job_runs(client, cast, orders, monkeypatch,
                                                 django_capture_on_commit_callbacks):  # fmt: skip
    seen = []
    write = export.write_workbook

    def watched(orders, target, progress=None):
        def report(done):
            progress(done)
            seen.append(ExportJob.objects.values_list("state", "rows_done", "rows_total").get())

        return write(orders, target, report)

    monkeypatch.setattr(export, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(export, "write_workbook", watched)
    start(client, cast.auditor, cast, django_capture_on_commit_callbacks)
    assert seen == [("running", 1, 3), ("running", 2, 3), ("running", 3, 3)]


def test_running_job_page_polls_and_shows_rows_done(client, cast):
    job = ExportJob.objects.create(user=cast.auditor, language="zh-hans", state="running", rows_total=3, rows_done=1)
    login(client, cast.auditor, cast)
    page = client.get(f"/exports/{job.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in page and "1 / 3 行" in page and 'value="33"' in page
    fragment = client.get(f"/exports/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith("<div") and "navbar" not in fragment and 'data-state="running"' in fragment


def test_a_failure_is_recorded_and_shown(client, cast, orders, monkeypatch, django_capture_on_commit_callbacks):
    def broken(orders, target, progress=None):
        raise RuntimeError("disk full")

    monkeypatch.setattr(export, "write_workbook", broken)
    job, location = start(client, cast.auditor, cast, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.state == ExportState.FAILED and job.error == "RuntimeError: disk full" and job.finished_at
    page = client.get(location).content.decode()
    assert 'id="export-error"' in page and "导出失败" in page and "disk full" not in page  # no internals shown
    assert client.get(f"/exports/{job.pk}/download/").status_code == 404
    assert list(services.export_dir().iterdir()) == []


def test_files_older_than_a_day_are_cleaned(client, cast, orders, django_capture_on_commit_callbacks):
    old, _location = start(client, cast.auditor, cast, django_capture_on_commit_callbacks)
    fresh, _location = start(client, cast.auditor, cast, django_capture_on_commit_callbacks)
    ExportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=1, minutes=1))
    old_file = services.export_dir() / ExportJob.objects.get(pk=old.pk).file_name
    assert old_file.is_file()
    assert services.clean_old_exports() == 1
    assert not old_file.exists() and list(ExportJob.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert client.get(f"/exports/{fresh.pk}/download/").status_code == 200


def test_a_job_whose_worker_died_is_failed_with_a_message_not_left_running(client, cast, orders):
    """A worker killed mid-job never reports; its job's heartbeat stops. The page (even with no worker left to
    run the periodic check) and the periodic task mark it failed after STALE_AFTER and offer to export again."""
    now = timezone.now()
    login(client, cast.auditor, cast)
    lost = ExportJob.objects.create(user=cast.auditor, query="channel=counter", language="zh-hans",
                                    state=ExportState.RUNNING, rows_total=5000, rows_done=400,
                                    heartbeat_at=now - services.STALE_AFTER - timedelta(seconds=1))  # fmt: skip
    alive = ExportJob.objects.create(user=cast.auditor, query="", language="zh-hans", state=ExportState.RUNNING,
                                     heartbeat_at=now - timedelta(minutes=1))  # fmt: skip
    page = client.get(f"/exports/{lost.pk}/").content.decode()
    lost.refresh_from_db()
    assert lost.state == ExportState.FAILED and lost.error.startswith("stale:") and lost.finished_at == now
    assert "导出中断" in page and 'id="export-again" href="/orders/export.xlsx?channel=counter"' in page
    assert 'hx-trigger="every 2s"' not in page  # the page stops polling
    client.get(f"/exports/{alive.pk}/")
    alive.refresh_from_db()
    assert alive.state == ExportState.RUNNING  # still beating: left alone
    # The periodic task finds the others; a worker that was only paused cannot then finish the failed job.
    assert services.fail_stale(now + services.STALE_AFTER) == 1
    alive.refresh_from_db()
    assert alive.state == ExportState.FAILED
    from yekuo.exports.tasks import fail_stale_exports

    assert fail_stale_exports.call_local() == 0


def test_a_running_job_beats_at_its_start_and_every_progress_report(cast, orders, monkeypatch):
    beats = []
    monkeypatch.setattr(export, "PROGRESS_EVERY", 1)
    monkeypatch.setattr(services, "fail_stale", lambda *a, **k: beats.append("checked"))  # not called by the run
    original = ExportJob.objects.filter

    def watched(*args, **kwargs):
        queryset = original(*args, **kwargs)
        update = queryset.update

        def beat(**values):
            beats.append("heartbeat_at" in values)
            return update(**values)

        queryset.update = beat
        return queryset

    monkeypatch.setattr(ExportJob.objects, "filter", watched)
    job = ExportJob.objects.create(user=cast.auditor, query="", language="zh-hans")
    services.run_export(job.pk)
    job.refresh_from_db()
    assert job.state == ExportState.DONE and job.rows_done == 3 and job.heartbeat_at == timezone.now()
    assert beats[:3] == [True, True, True]  # one beat for each of the three rows (PROGRESS_EVERY = 1)
