"""The documents of pushed applications (R1 一网办, R3): recorded with the application, fetched and kept by yekuo.

A platform sends links (`documents[]`: kind, name, url, sha256?). A utility keeps the application's documents
itself: the platform's links expire, and the dispatcher, the branch and the joint application's units (R4) need
the files, not a link to someone else's system. So:

- `documents_record`: in the push's transaction, one `ApplicationDocument` row per document (`pending`), and the
  worker told after commit. The push never waits for a platform's file server.
- `document_fetch` (the worker; its sweep every minute picks up anything due): GET the url (timeout
  YEKUO_PLATFORM_DOCUMENT_TIMEOUT), at most YEKUO_UPLOAD_MAX_BYTES read; then the checks every upload passes
  (`common.uploads`: PDF, JPEG or PNG by content, the size limit) and, when the platform gave one, the
  SHA-256. A good file is stored under MEDIA_ROOT (`platform/<year>/<month>/<random>.<type>`, outside the web
  root, served only by the queue's checked view) and `stored`; a file that fails a check is `refused` (not
  fetched again: the dispatcher returns the application asking for it); a fetch that fails (down, slow, an
  HTTP error) is tried again with the outbox's backoff, and after MAX_ATTEMPTS is `failed` (the dispatcher
  still sees the platform's link). A url on a host that is not one of the platform's `document_hosts` (when
  set) is not fetched (`refused`). Nothing of the application waits on any of this.
"""

from __future__ import annotations

import hashlib
import http.client
import urllib.error
import urllib.request
import uuid
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from yekuo.common import uploads
from yekuo.intake.models import Application, ApplicationDocument, DocumentState
from yekuo.orders.store import insert_rows
from yekuo.outbox.services import backoff
from yekuo.outbox.transports import clean

MAX_ATTEMPTS = 20  # with the outbox's backoff (at most an hour apart), most of a day


def documents_record(application: Application) -> list[ApplicationDocument]:
    """The application's documents as rows to fetch (call it in the push's transaction)."""
    now = timezone.now()
    rows = [
        ApplicationDocument(application=application, position=i, kind=d.get("kind", ""), name=d.get("name", ""),
                            url=d.get("url", ""), sha256=d.get("sha256", "") or "", next_attempt_at=now)
        for i, d in enumerate(application.documents)
    ]  # fmt: skip
    if rows:
        with connection.cursor() as cursor:
            insert_rows(cursor, rows)  # one INSERT that returns the ids (the orders' write path's)
        ids = [row.pk for row in rows]
        transaction.on_commit(lambda: _schedule(ids))
    return rows


def _schedule(ids: list[int], eta: datetime | None = None) -> None:
    from yekuo.common.tasks import hand_over
    from yekuo.intake.tasks import document_fetch_task

    hand_over(document_fetch_task, ids, eta=eta, what="platform document")


def host_allowed(platform, url: str) -> bool:
    """Is `url` on one of the platform's document hosts (`Platform.document_hosts`; empty: any)? yekuo fetches
    inside the utility's network, so a platform is held to its own file servers."""
    hosts = {h.strip().lower() for h in platform.document_hosts.replace(" ", ",").split(",") if h.strip()}
    return not hosts or (urlsplit(url).hostname or "").lower() in hosts


class FetchFailed(Exception):
    pass


def _download(url: str) -> bytes:
    """The file's bytes, at most the upload limit + 1 (so that a larger one is seen as such)."""
    limit = settings.YEKUO_UPLOAD_MAX_BYTES
    request = urllib.request.Request(url, headers={"User-Agent": "yekuo", "Accept": "application/pdf, image/*"})
    try:
        with urllib.request.urlopen(request, timeout=settings.YEKUO_PLATFORM_DOCUMENT_TIMEOUT) as response:
            return response.read(limit + 1)
    except urllib.error.HTTPError as exc:
        raise FetchFailed(f"HTTP {exc.code}") from None
    except (OSError, http.client.HTTPException, ValueError) as exc:  # refused, timeout, not HTTP
        raise FetchFailed(f"{type(exc).__name__}: {exc}") from None


def refusal(raw: bytes, sha256: str) -> tuple[str | None, str | None]:
    """(why the file is not kept, or None; the extension of its checked type)."""
    limit = settings.YEKUO_UPLOAD_MAX_BYTES
    if len(raw) > limit:
        return f"larger than the limit of {limit} bytes (YEKUO_UPLOAD_MAX_BYTES)", None
    extension = uploads.sniff(raw[: uploads.SIGNATURE_BYTES])
    if extension is None:
        return "not a PDF, JPEG or PNG file (checked by its content)", None
    if sha256 and hashlib.sha256(raw).hexdigest() != sha256:
        return "its SHA-256 is not the one the platform gave", extension
    return None, extension


def document_fetch(pk: int, now: datetime | None = None) -> str | None:
    """Fetch a pending document whose time has come; its new state (None: not due, or taken by another worker)."""
    now = now or timezone.now()
    row = (
        ApplicationDocument.objects.select_related("application__platform")
        .filter(pk=pk, state=DocumentState.PENDING, next_attempt_at__lte=now)
        .first()
    )
    if row is None:
        return None
    if not host_allowed(row.application.platform, row.url):
        ApplicationDocument.objects.filter(pk=pk, state=DocumentState.PENDING).update(
            state=DocumentState.REFUSED, next_attempt_at=None,
            last_error="not fetched: its host is not one of the platform's document hosts",
        )  # fmt: skip
        return DocumentState.REFUSED
    lease = now + backoff(row.attempts + 1)  # claimed by a conditional UPDATE; the lease is the next try's time
    if not ApplicationDocument.objects.filter(pk=pk, next_attempt_at=row.next_attempt_at).update(next_attempt_at=lease):
        return None
    attempts = row.attempts + 1
    fields: dict = {"attempts": attempts}
    try:
        raw = _download(row.url)
    except FetchFailed as exc:
        fields["last_error"] = clean(str(exc))
        if attempts >= MAX_ATTEMPTS:
            fields.update(state=DocumentState.FAILED, next_attempt_at=None)
    else:
        problem, extension = refusal(raw, row.sha256)
        if problem:
            fields.update(state=DocumentState.REFUSED, last_error=problem, next_attempt_at=None, size=len(raw))
        else:
            stamp = timezone.localtime(now)
            name = f"platform/{stamp:%Y}/{stamp:%m}/{uuid.uuid4().hex}.{extension}"
            stored = row.file.storage.save(name, ContentFile(raw))
            fields.update(state=DocumentState.STORED, file=stored, size=len(raw), last_error="", next_attempt_at=None,
                          media_type=uploads.EVIDENCE_TYPES[extension][0], fetched_at=timezone.now())  # fmt: skip
    ApplicationDocument.objects.filter(pk=pk).update(**fields)
    if "state" not in fields:
        _schedule([pk], eta=lease)
    return fields.get("state", DocumentState.PENDING)


def documents_due(now: datetime | None = None, limit: int = 100) -> list[int]:
    now = now or timezone.now()
    return list(
        ApplicationDocument.objects.filter(state=DocumentState.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def documents_fetch_due(now: datetime | None = None) -> dict[str, int]:
    """The sweep, in this process: every due pending document is fetched once."""
    counts: dict[str, int] = {}
    for pk in documents_due(now):
        state = document_fetch(pk, now)
        if state is not None:
            counts[state] = counts.get(state, 0) + 1
    return counts


def documents_refetch(pks) -> int:
    """An administrator's retry of documents that failed or were refused: pending again, fetched at once."""
    return ApplicationDocument.objects.filter(
        pk__in=list(pks), state__in=(DocumentState.FAILED, DocumentState.REFUSED)
    ).update(state=DocumentState.PENDING, attempts=0, next_attempt_at=timezone.now())
