"""Real browser: a background export's page shows its progress as the job goes, then the download (P4), and says
so when the job's worker died; at phone width too."""

import pytest
from playwright.sync_api import expect

from yekuo.exports import services
from yekuo.exports.models import ExportJob, ExportState
from yekuo.web.tests.helpers import make_order
from yekuo.web.tests.test_browser import sign_in

pytestmark = pytest.mark.slow  # a browser against a live server


@pytest.mark.django_db(transaction=True)
def test_the_export_page_follows_the_job_to_its_download(page, live_server, live_cast, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    cast, base = live_cast, live_server.url
    for _ in range(3):
        make_order(cast, when=None)
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, base, "auditor", cast.password)
    # As the worker leaves it after its first report: queued rows read, a fifth written.
    job = ExportJob.objects.create(user=cast.auditor, query="", language="zh-hans", state=ExportState.RUNNING,
                                   rows_total=1000, rows_done=200, heartbeat_at=services.timezone.now())  # fmt: skip
    page.goto(f"{base}/exports/{job.pk}/")
    status = page.locator("#export-status")
    expect(status).to_have_attribute("data-state", "running")
    expect(page.locator("#export-rows")).to_have_text("200 / 1000 行")
    expect(page.locator("progress")).to_have_attribute("value", "20")
    # The page polls: the worker's next report shows without reloading.
    ExportJob.objects.filter(pk=job.pk).update(rows_done=700, heartbeat_at=services.timezone.now())
    expect(page.locator("#export-rows")).to_have_text("700 / 1000 行")
    expect(page.locator("progress")).to_have_attribute("value", "70")
    # The job runs to its end (as the worker would): the page offers the download and stops polling.
    ExportJob.objects.filter(pk=job.pk).update(state=ExportState.QUEUED)
    services.run_export(job.pk)
    expect(status).to_have_attribute("data-state", "done")
    expect(page.locator("#export-rows")).to_have_text("3 / 3 行")
    with page.expect_download() as download:
        page.click("#export-download")
    assert download.value.suggested_filename.endswith(".xlsx")
    assert status.get_attribute("hx-trigger") is None  # finished: no more polling
    # Another job whose worker died: its page says so and offers to export again, instead of running forever.
    lost = ExportJob.objects.create(user=cast.auditor, query="alarm=overdue", language="zh-hans",
                                    state=ExportState.RUNNING, rows_total=1000, rows_done=400,
                                    heartbeat_at=services.timezone.now() - services.STALE_AFTER)  # fmt: skip
    page.goto(f"{base}/exports/{lost.pk}/")
    expect(page.locator("#export-error")).to_contain_text("导出中断")
    expect(page.locator("#export-again")).to_have_attribute("href", "/orders/export.xlsx?alarm=overdue")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone


@pytest.mark.django_db(transaction=True)
def test_a_file_over_the_limit_is_refused_above_the_form_that_sent_it(page, live_server, live_cast, settings,
                                                                      tmp_path):  # fmt: skip
    """The upload is stopped as it streams in (common/uploads.py) and the 413 is swapped in by htmx (base.html's
    responseHandling) above the action form, which stays filled in; nothing is saved."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.YEKUO_UPLOAD_MAX_BYTES = 4096
    cast, base = live_cast, live_server.url
    order = make_order(cast, when=None)
    sign_in(page, base, "clerk", cast.password)
    page.goto(f"{base}/orders/{order.number}/")
    big = tmp_path / "scan.pdf"
    big.write_bytes(b"%PDF-1.7\n" + b"0" * 8192)
    form = page.locator("#action-suspend")
    form.locator("[name='suspend-reason_code']").select_option("customer_request")
    form.locator("[name='suspend-evidence_note']").fill("客户书面要求暂缓")
    form.locator("[name='suspend-evidence_file']").set_input_files(str(big))
    form.locator("button[type=submit]").click()
    expect(page.locator("#upload-refused")).to_contain_text("证明文件最大 4 KB")
    expect(page.locator("#action-suspend [name='suspend-evidence_note']")).to_have_value("客户书面要求暂缓")
    assert not order.suspensions.exists()
