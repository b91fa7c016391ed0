"""Files people upload (a suspension's evidence): accepted only as the document types evidence needs, checked by
their content, and served so that no upload can ever run as a page of yekuo (S1, ASVS V12).

A file's name and its declared Content-Type are the uploader's to choose, so neither is believed: the first bytes
decide (PDF, JPEG, PNG), the stored name gets the extension of the type found, and the type served comes from
that extension. An HTML or SVG file, a program or anything else is refused with a message that says what is
accepted; a file over YEKUO_UPLOAD_MAX_BYTES is refused before it is read.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.http import FileResponse
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
