"""The documents of pushed applications (R3): recorded with the push, fetched and kept by the worker (checked by
content and size, stored outside the web root, served by a checked view), and a fetch that fails never loses or
holds up the application."""

import hashlib
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.utils import timezone

from yekuo.intake import documents, services
from yekuo.intake.models import Application, ApplicationDocument
from yekuo.intake.testing import application
from yekuo.web.tests.helpers import login

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def files(monkeypatch):
    """The platform's file server: url → bytes (or an exception to raise)."""
    served: dict = {}

    def download(url):
        found = served.get(url, documents.FetchFailed("HTTP 404"))
        if isinstance(found, Exception):
            raise found
        return found

    monkeypatch.setattr(documents, "_download", download)
    return served


def one_document(app_id: str, **extra) -> dict:
    body = application(app_id)
    body["documents"] = [{"kind": "licence", "name": "营业执照.pdf", "url": f"https://platform.test/{app_id}.pdf",
                          **extra}]  # fmt: skip
    return body


def test_documents_are_fetched_checked_and_kept(push, client, cast, media, files, django_capture_on_commit_callbacks):
    files["https://platform.test/GC-DOC1.pdf"] = PDF
    with django_capture_on_commit_callbacks(execute=True):
        assert push(one_document("GC-DOC1", sha256=hashlib.sha256(PDF).hexdigest())).status_code == 201
    doc = ApplicationDocument.objects.get()
    assert doc.state == "stored" and doc.size == len(PDF) and doc.media_type == "application/pdf" and doc.fetched_at
    stored = Path(media) / doc.file.name
    assert stored.read_bytes() == PDF and doc.file.name.startswith("platform/") and doc.file.name.endswith(".pdf")
    login(client, cast.dispatcher, cast)
    (row,) = client.get("/api/v1/intake/queue").json()["results"]
    (listed,) = row["documents"]
    assert listed["state"] == "stored" and listed["file"] == f"/intake/documents/{doc.pk}/"
    assert listed["url"] == "https://platform.test/GC-DOC1.pdf"
    served = client.get(listed["file"])
    assert served.status_code == 200 and b"".join(served.streaming_content) == PDF
    assert served["Content-Type"] == "application/pdf" and served["X-Content-Type-Options"] == "nosniff"
    assert f'href="/intake/documents/{doc.pk}/"' in client.get("/intake/").content.decode()
    # A branch sees it with the order (proposed to it, or dispatched to it); another branch does not.
    login(client, cast.west_clerk, cast)
    assert client.get(listed["file"]).status_code == 404
    services.application_dispatch(Application.objects.get(), actor=cast.dispatcher, branch=cast.west)
    assert client.get(listed["file"]).status_code == 200
    login(client, cast.clerk, cast)
    assert client.get(listed["file"]).status_code == 404


@pytest.mark.parametrize(
    "content, sha256, why",
    [
        (b"<html><script>alert(1)</script></html>", "", "not a PDF, JPEG or PNG"),
        (PDF, "0" * 64, "SHA-256"),
        (PDF + b"x" * 2048, "", "larger than the limit"),
    ],
)
def test_a_file_that_fails_a_check_is_refused_not_kept(push, cast, media, files, settings, content, sha256, why,
                                                        django_capture_on_commit_callbacks):  # fmt: skip
    settings.YEKUO_UPLOAD_MAX_BYTES = 1024
    files["https://platform.test/GC-DOC2.pdf"] = content
    with django_capture_on_commit_callbacks(execute=True):
        assert push(one_document("GC-DOC2", sha256=sha256)).status_code == 201
    doc = ApplicationDocument.objects.get()
    assert doc.state == "refused" and why in doc.last_error and not doc.file
    assert not Path(media).exists() or not any(Path(media).rglob("*.*"))
    assert Application.objects.get().state == "queued"  # the application waits for the dispatcher all the same


def test_a_fetch_that_fails_is_tried_again_and_nothing_is_lost(push, cast, media, files,
                                                               django_capture_on_commit_callbacks):  # fmt: skip
    url = "https://platform.test/GC-DOC3.pdf"
    files[url] = documents.FetchFailed("TimeoutError: timed out")
    with django_capture_on_commit_callbacks(execute=True):
        assert push(one_document("GC-DOC3")).status_code == 201
    doc = ApplicationDocument.objects.get()
    assert doc.state == "pending" and doc.attempts == 1 and "timed out" in doc.last_error
    assert doc.next_attempt_at > timezone.now() and Application.objects.get().order is not None
    assert documents.documents_fetch_due() == {}  # not due yet
    files[url] = PDF
    assert documents.documents_fetch_due(now=doc.next_attempt_at + timedelta(seconds=1)) == {"stored": 1}
    assert ApplicationDocument.objects.get().state == "stored"


def test_after_its_tries_a_document_is_failed_and_can_be_fetched_again(push, media, files):
    push(one_document("GC-DOC4"))  # no commit callbacks: the sweep finds the row
    doc = ApplicationDocument.objects.get()
    doc.attempts = documents.MAX_ATTEMPTS - 1
    doc.save()
    assert documents.documents_fetch_due() == {"failed": 1}
    assert documents.documents_refetch([doc.pk]) == 1
    files["https://platform.test/GC-DOC4.pdf"] = PDF
    assert documents.documents_fetch_due(now=timezone.now() + timedelta(seconds=1)) == {"stored": 1}


class _Files(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != "/docs/licence.pdf":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html")  # not believed: the content decides
        self.send_header("Content-Length", str(len(PDF)))
        self.end_headers()
        self.wfile.write(PDF)

    def log_message(self, *args):
        pass


@pytest.mark.slow
def test_a_document_is_fetched_over_http(push, media, django_capture_on_commit_callbacks):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        body = application("GC-DOC5")
        body["documents"] = [{"kind": "licence", "name": "licence.pdf", "url": f"{base}/docs/licence.pdf"},
                             {"kind": "site_plan", "name": "plan.pdf", "url": f"{base}/docs/missing.pdf"}]  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            assert push(body).status_code == 201
    finally:
        server.shutdown()
        server.server_close()
    stored, missing = ApplicationDocument.objects.order_by("position")
    assert stored.state == "stored" and stored.media_type == "application/pdf"
    assert missing.state == "pending" and missing.last_error == "HTTP 404"


def test_a_document_off_the_platforms_hosts_is_not_fetched(push, platforms, media, files):
    platform = platforms["approval_platform"]
    platform.document_hosts = "files.platform.test, platform.test"
    platform.save()
    body = application("GC-DOC6")
    body["documents"] = [{"kind": "licence", "name": "a.pdf", "url": "https://platform.test/a.pdf"},
                         {"kind": "site_plan", "name": "b.pdf", "url": "http://10.0.0.5:8080/admin/b.pdf"}]  # fmt: skip
    files["https://platform.test/a.pdf"] = files["http://10.0.0.5:8080/admin/b.pdf"] = PDF
    push(body)
    assert documents.documents_fetch_due() == {"stored": 1, "refused": 1}
    refused = ApplicationDocument.objects.get(state="refused")
    assert refused.url.startswith("http://10.0.0.5") and "document hosts" in refused.last_error


def test_the_joint_application_carries_the_documents(push, cast, media, files, django_capture_on_commit_callbacks):
    """R4: the units get the application with its documents (the copy yekuo kept: digest and size)."""
    from yekuo.partners.services import joint_payload

    files["https://platform.test/GC-DOC7.pdf"] = PDF
    with django_capture_on_commit_callbacks(execute=True):
        push(one_document("GC-DOC7"))
    order = services.application_dispatch(Application.objects.get(), actor=cast.dispatcher).order
    (document,) = [d for d in joint_payload(order)["documents"] if d["type"] == "document"]
    assert document["sha256"] == hashlib.sha256(PDF).hexdigest() and document["size"] == len(PDF)
    assert document["url"] == "https://platform.test/GC-DOC7.pdf" and document["kind"] == "licence"


def test_the_hosts_are_set_with_the_command(platforms):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("platforms", "hosts", "approval_platform", "files.platform.test", "CDN.platform.test", stdout=out)
    assert out.getvalue().strip() == "approval_platform: documents from files.platform.test, cdn.platform.test"
    platform = platforms["approval_platform"]
    platform.refresh_from_db()
    assert documents.host_allowed(platform, "https://cdn.platform.test/a.pdf")
    assert not documents.host_allowed(platform, "http://127.0.0.1:5432/")
    call_command("platforms", "hosts", "approval_platform", stdout=StringIO())
    platform.refresh_from_db()
    assert platform.document_hosts == "" and documents.host_allowed(platform, "http://anywhere.test/x.pdf")
