"""Uploaded evidence never runs as a page of yekuo (S1): only PDF, JPEG and PNG by content, within the
size limit, stored under a name of their own and served with their checked type, `nosniff`, a sandboxing CSP and,
for anything but images and PDF, as a download."""

import io
import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import JsonResponse

from yekuo.orders import services
from yekuo.orders.models import Suspension
from yekuo.orders.tests.api_helpers import client_for
from yekuo.web.tests.helpers import login, make_order

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.7\n%evidence\n"
HTML = b"<!doctype html><script>fetch('/api/v1/orders/').then(r => r.text()).then(alert)</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
EXE = b"MZ\x90\x00" + b"\x00" * 64

# (name and declared type chosen by the uploader, content): the name and the type lie; the content decides.
HOSTILE = [
    ("notice.html", "text/html", HTML),
    ("notice.pdf", "application/pdf", HTML),
    ("photo.svg", "image/svg+xml", SVG),
    ("photo.png", "image/png", SVG),
    ("setup.exe", "application/octet-stream", EXE),
    ("notice.txt", "text/plain", "客户未提供产权证明".encode()),
]


def suspend_page(client, order, upload):
    return client.post(f"/orders/{order.number}/actions/suspend/", {
        "suspend-reason_code": "documents_missing", "suspend-evidence_note": "", "suspend-evidence_file": upload,
    })  # fmt: skip


@pytest.mark.parametrize(("name", "declared", "content"), HOSTILE)
def test_the_page_refuses_anything_but_pdf_jpeg_png_by_content(client, cast, settings, tmp_path, name, declared,
                                                               content):  # fmt: skip
    settings.MEDIA_ROOT = tmp_path
    order = make_order(cast, when=None)
    login(client, cast.clerk, cast)
    response = suspend_page(client, order, SimpleUploadedFile(name, content, content_type=declared))
    assert response.status_code == 400
    assert "只接受 PDF、JPEG 或 PNG 格式的证明文件" in response.content.decode()
    assert not Suspension.objects.filter(order=order).exists() and not list(tmp_path.rglob("*.*"))


def test_the_page_refuses_a_file_over_the_limit_saying_the_limit(client, cast, settings, tmp_path):
    """Refused while it streams in (common/uploads.UploadLimitHandler), before the form or the CSRF check read it."""
    settings.MEDIA_ROOT = tmp_path
    order = make_order(cast, when=None)
    login(client, cast.clerk, cast)
    big = SimpleUploadedFile("scan.pdf", PDF + b"0" * (10 * 1024 * 1024), content_type="application/pdf")
    response = suspend_page(client, order, big)
    assert response.status_code == 413 and "证明文件最大 10.0 MB" in response.content.decode()
    assert not Suspension.objects.filter(order=order).exists() and not list(tmp_path.rglob("*.*"))
    # Sent by htmx, the answer is an alert that goes above the form (which stays as it was).
    big.seek(0)
    response = client.post(f"/orders/{order.number}/actions/suspend/", {"suspend-reason_code": "documents_missing",
                           "suspend-evidence_file": big}, HTTP_HX_REQUEST="true")  # fmt: skip
    assert response.status_code == 413 and response["HX-Reswap"] == "beforebegin"
    assert response.content.decode().startswith('<div class="alert alert-danger" role="alert" id="upload-refused">')
    client.cookies["django_language"] = "en"
    response = suspend_page(client, order, SimpleUploadedFile("a.html", HTML, content_type="text/html"))
    assert "Only PDF, JPEG or PNG files are accepted as evidence" in response.content.decode()


def test_the_api_refuses_with_invalid_input_on_evidence_file(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    order = make_order(cast, when=None)
    upload = SimpleUploadedFile("notice.pdf", HTML, content_type="application/pdf")
    response = client_for(cast.customer_manager).post(
        f"/api/v1/orders/{order.number}/suspend", {"reason_code": "documents_missing", "evidence_file": upload},
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid_input" and body["field"] == "evidence_file"
    assert "Only PDF, JPEG or PNG" in body["message"]
    settings.YEKUO_UPLOAD_MAX_BYTES = 1024
    upload = SimpleUploadedFile("scan.pdf", PDF + b"0" * 2048, content_type="application/pdf")
    response = client_for(cast.customer_manager).post(
        f"/api/v1/orders/{order.number}/suspend", {"reason_code": "documents_missing", "evidence_file": upload},
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 413 and response.json()["code"] == "request_too_large"
    assert "too large" in response.json()["message"] and "at most 1 KB" in response.json()["message"]


@pytest.mark.parametrize(
    ("content", "media_type"), [(PNG, "image/png"), (JPEG, "image/jpeg"), (PDF, "application/pdf")]
)
def test_accepted_evidence_is_stored_and_served_with_its_checked_type(client, cast, settings, tmp_path, content,
                                                                      media_type):  # fmt: skip
    settings.MEDIA_ROOT = tmp_path
    order = make_order(cast, when=None)
    login(client, cast.clerk, cast)
    # A misleading name and declared type: the content decides the stored extension and the type served.
    response = suspend_page(client, order, SimpleUploadedFile("x.html", content, content_type="text/html"))
    assert response.status_code == 302
    stored = Suspension.objects.get(order=order).evidence_file.name
    assert stored.rsplit(".", 1)[1] == {"image/png": "png", "image/jpeg": "jpg", "application/pdf": "pdf"}[media_type]
    assert "x.html" not in stored
    served = client.get(f"/orders/{order.number}/evidence/0/")
    assert served["Content-Type"] == media_type and served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Disposition"].startswith("inline")
    assert served["Content-Security-Policy"].startswith("sandbox; default-src 'none'")
    assert b"".join(served.streaming_content) == content


def test_a_file_stored_before_the_check_is_a_sandboxed_download(client, cast, settings, tmp_path):
    """Evidence uploaded before types were checked (an .html among them) is never rendered."""
    settings.MEDIA_ROOT = tmp_path
    order = make_order(cast, when=None)
    services.order_suspend(order, actor=cast.clerk, reason_code="customer_request", evidence_note="书面")
    suspension = Suspension.objects.get(order=order)
    suspension.evidence_file.save("old/notice.html", ContentFile(HTML), save=True)
    login(client, cast.clerk, cast)
    served = client.get(f"/orders/{order.number}/evidence/0/")
    assert served["Content-Type"] == "application/octet-stream" and served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Disposition"].startswith("attachment")
    assert "sandbox" in served["Content-Security-Policy"]


class CountingInput:
    """A request body that counts what the server reads of it."""

    def __init__(self, data: bytes):
        self.stream, self.read_bytes = io.BytesIO(data), 0

    def read(self, size=-1):
        chunk = self.stream.read(size)
        self.read_bytes += len(chunk)
        return chunk

    def readline(self, size=-1):
        chunk = self.stream.readline(size)
        self.read_bytes += len(chunk)
        return chunk


def multipart(content: bytes, boundary: str = "b") -> bytes:
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="reason_code"\r\n\r\ndocuments_missing\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="evidence_file"; filename="scan.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n")  # fmt: skip
    return head.encode() + content + f"\r\n--{boundary}--\r\n".encode()


def refused(body: bytes, length: int | None = None) -> tuple[int, int, str]:
    """(status, bytes read of the body, text) of the upload middleware answering a multipart POST of `body`."""
    from django.core.handlers.wsgi import WSGIRequest
    from django.test import RequestFactory

    from yekuo.common.uploads import UploadLimitMiddleware

    stream = CountingInput(body)
    request = WSGIRequest(RequestFactory()._base_environ(
        REQUEST_METHOD="POST", PATH_INFO="/api/v1/orders/X/suspend", CONTENT_TYPE="multipart/form-data; boundary=b",
        CONTENT_LENGTH=str(len(body) if length is None else length), **{"wsgi.input": stream},
    ))  # fmt: skip
    response = UploadLimitMiddleware(lambda r: JsonResponse({"code": "passed"}))(request)
    return response.status_code, stream.read_bytes, response.content.decode()


def test_a_body_too_large_for_any_file_is_refused_from_its_length_unread(settings):
    settings.YEKUO_UPLOAD_MAX_BYTES = 64 * 1024
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    status, read, text = refused(multipart(PDF + b"0" * 1000), length=129 * 1024)
    assert (status, read) == (413, 0) and json.loads(text)["code"] == "request_too_large"
    assert "at most 64 KB" in json.loads(text)["message"]


def test_a_file_over_the_limit_is_refused_as_it_streams_in(settings):
    """A body whose length leaves room (or that has none to check) is read only until its file passes the limit."""
    settings.YEKUO_UPLOAD_MAX_BYTES = 256 * 1024
    body = multipart(PDF + b"0" * (1024 * 1024))
    status, read, text = refused(body)
    assert status == 413 and read < 512 * 1024 < len(body), read
    assert json.loads(text)["message"] == "File too large; evidence files may be at most 256 KB."
    status, read, text = refused(multipart(PDF + b"0" * (200 * 1024)))  # under the limit: passed on, read whole
    assert status == 200 and json.loads(text) == {"code": "passed"}


def test_an_api_form_whose_other_fields_are_too_large_is_the_apis_413(cast, settings):
    """Parsed by the upload middleware before the API's view, the form's other fields over
    DATA_UPLOAD_MAX_MEMORY_SIZE are still the API's JSON 413, as when the view read them."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    order = make_order(cast, when=None)
    response = client_for(cast.customer_manager).post(
        f"/api/v1/orders/{order.number}/suspend",
        {"reason_code": "documents_missing", "evidence_note": "缺" * 2000,
         "evidence_file": SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")},
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 413 and response.json()["code"] == "request_too_large"
