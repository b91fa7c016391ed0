"""Files people upload (a suspension's evidence): accepted only as the document types evidence needs, checked by
their content, and served so that no upload can ever run as a page of yekuo (S1, ASVS V12).

A file's name and its declared Content-Type are the uploader's to choose, so neither is believed: the first bytes
decide (PDF, JPEG, PNG), the stored name gets the extension of the type found, and the type served comes from
that extension. An HTML or SVG file, a program or anything else is refused with a message that says what is
accepted.

A file over YEKUO_UPLOAD_MAX_BYTES is refused without being received whole (ASVS 12.1.1): `UploadLimitMiddleware`
answers 413 from the request's Content-Length before reading the body when the body cannot fit (the largest
file plus `DATA_UPLOAD_MAX_MEMORY_SIZE` for the form's other fields), and otherwise parses the form itself with
`UploadLimitHandler` first among the upload handlers, which stops the upload as soon as one file's bytes pass
the limit (a body sent in chunks has no length to check). Either way nothing more of the body is read and the
answer says the limit: a page for the staff pages (the action form shows it above itself), the API's JSON
error `413 request_too_large` under /api/.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.files.uploadhandler import FileUploadHandler
from django.http import FileResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import override

from yekuo.common.errors import InvalidInput

# The checked types: stored extension → (media type, the signature its content starts with).
EVIDENCE_TYPES = {
    "pdf": ("application/pdf", b"%PDF-"),
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
}
SIGNATURE_BYTES = max(len(signature) for _type, signature in EVIDENCE_TYPES.values())
# Shown inline (the browser's own PDF and image viewers); anything else is downloaded, never displayed.
INLINE_TYPES = {"application/pdf", "image/jpeg", "image/png"}
# On every served upload: a document of its own origin-less sandbox, loading nothing, running nothing.
UPLOAD_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


def sniff(head: bytes) -> str | None:
    """The extension of the accepted type that `head` (a file's first bytes) is, or None."""
    for extension, (_media_type, signature) in EVIDENCE_TYPES.items():
        if head.startswith(signature):
            return extension
    return None


def refusal(upload) -> str | None:
    """Why `upload` is not acceptable evidence (in the reader's language), or None when it is."""
    limit = settings.YEKUO_UPLOAD_MAX_BYTES
    if upload.size > limit:
        return _("文件过大（%(size)s），证明文件最大 %(limit)s。") % {"size": _megabytes(upload.size),
                                                                   "limit": _megabytes(limit)}  # fmt: skip
    if checked_type(upload) is None:
        return _("只接受 PDF、JPEG 或 PNG 格式的证明文件（按文件内容判断，与文件名无关）。")
    return None


def checked_type(upload) -> str | None:
    """The extension of the type `upload`'s content is, or None; the file is left at its start."""
    upload.seek(0)
    head = upload.read(SIGNATURE_BYTES)
    upload.seek(0)
    return sniff(head)


def check_evidence(upload) -> str:
    """A stored name for `upload` (a random name with the extension of its checked type), or InvalidInput (in
    English, as every message of the API; the pages' form says it in the reader's language first)."""
    with override("en"):
        problem = refusal(upload)
    if problem:
        raise InvalidInput(problem, field="evidence_file")
    return f"{uuid.uuid4().hex}.{checked_type(upload)}"


class UploadTooLarge(Exception):
    """A file of a multipart request passed YEKUO_UPLOAD_MAX_BYTES while it was being received."""


class UploadLimitHandler(FileUploadHandler):
    """The first upload handler: passes each chunk on to the next (memory or temporary file) and stops the
    upload once a file's bytes pass the limit, so no more of it is read or stored."""

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.YEKUO_UPLOAD_MAX_BYTES:
            raise UploadTooLarge
        return raw_data

    def file_complete(self, file_size):
        return None


def body_limit() -> int:
    """The largest multipart body that can hold an acceptable file: the file, and the other fields, whose limit
    is Django's DATA_UPLOAD_MAX_MEMORY_SIZE (YEKUO_MAX_REQUEST_BYTES)."""
    return settings.YEKUO_UPLOAD_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class UploadLimitMiddleware:
    """Refuse a multipart body too large for any acceptable file before reading it, or as soon as one of its
    files passes the limit while it streams in (see the module's docstring). Placed before the CSRF check, which
    would otherwise read the whole body to find its token."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("POST", "PUT", "PATCH") and request.content_type == "multipart/form-data":
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > body_limit():
                return too_large(request, length)
            request.upload_handlers.insert(0, UploadLimitHandler(request))
            try:
                request.POST  # noqa: B018  parsed here, counting each file as it arrives
            except UploadTooLarge:
                return too_large(request, None)
            except (SuspiciousOperation, MultiPartParserError) as error:
                if not request.path.startswith("/api/"):
                    raise  # a page's bad form: Django's 400, as when the CSRF check read it
                return _api_error(error)  # as the API's own handler answers it when it reads the body
        return self.get_response(request)


def _api_error(error) -> JsonResponse:
    from yekuo.common.api import _too_large_message, error_body

    if isinstance(error, RequestDataTooBig):  # the form's other fields over DATA_UPLOAD_MAX_MEMORY_SIZE
        return JsonResponse(error_body("request_too_large", _too_large_message()), status=413)
    return JsonResponse(error_body("malformed_request", str(error) or "the request cannot be read"), status=400)


def too_large(request, size: int | None):
    """The 413 answer: the API's JSON error, or a page saying the limit (for htmx, an alert put above the form
    that sent the file, which stays as it was)."""
    limit = settings.YEKUO_UPLOAD_MAX_BYTES
    if request.path.startswith("/api/"):
        from yekuo.common.api import error_body

        with override("en"):
            response = JsonResponse(error_body("request_too_large", _size_message(size, limit)), status=413)
    else:
        htmx = request.headers.get("HX-Request") == "true"
        context = {"message": _size_message(size, limit), "fragment": htmx}
        response = TemplateResponse(request, "413.html", context, status=413).render()
        if htmx:
            response["HX-Reswap"] = "beforebegin"
    # The rest of the body is never read. (`Connection: close` is not for a WSGI application to set, PEP 3333:
    # gunicorn's sync workers, which `yekuo serve` runs, close every connection after its response anyway.)
    return response


def _size_message(size: int | None, limit: int) -> str:
    if size is None:
        return _("文件过大，证明文件最大 %(limit)s。") % {"limit": _megabytes(limit)}
    sizes = {"size": _megabytes(size), "limit": _megabytes(limit)}
    return _("上传内容过大（%(size)s），证明文件最大 %(limit)s。") % sizes


def _megabytes(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{-(-size // 1024)} KB"


def file_response(field_file) -> FileResponse:
    """A stored upload as a download or, for images and PDF, inline; always with its checked type, `nosniff` and
    the sandboxing policy. A file stored before types were checked (any other extension) is a download of
    application/octet-stream, so whatever it holds never renders."""
    name = PurePosixPath(field_file.name).name
    extension = PurePosixPath(name).suffix.lstrip(".").lower()
    media_type = EVIDENCE_TYPES[extension][0] if extension in EVIDENCE_TYPES else "application/octet-stream"
    inline = media_type in INLINE_TYPES
    response = FileResponse(field_file.open("rb"), as_attachment=not inline, filename=name, content_type=media_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = UPLOAD_CSP
    response["Cache-Control"] = "private, no-store"  # personal documents: no shared cache keeps them
    return response
