"""Platform credentials: issue, rotate with an overlap, revoke, and check a signed request (R3;
docs/platforms.md).

A request is accepted when its key is live (not revoked, not past `expires_at`), its timestamp within
YEKUO_PLATFORM_CLOCK_SKEW_SECONDS of the server's clock, its signature right, and its nonce new for the
key. The nonce is recorded last, once the signature holds, so that a stranger cannot burn a partner's
nonces: in Redis (SET NX with an expiry) when REDIS_URL is set, else in the `PlatformNonce` table, whose
unique constraint refuses the second of two simultaneous uses.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from yekuo.common.errors import YekuoError
from yekuo.intake import signing
from yekuo.intake.models import Platform, PlatformKey, PlatformNonce


class SignatureRefused(YekuoError):
    """The request is not authentic (401); `code` says why, the same for every cause a stranger could
    probe only where the partner needs to know (stale clock, replayed nonce)."""

    code = "signature_invalid"


@dataclass
class Issued:
    key: PlatformKey
    secret: str  # shown once, to be handed to the partner; never stored


def _new_key(platform: Platform) -> Issued:
    key_id = f"pk_{platform.code}_{secrets.token_hex(6)}"
    secret = signing.derive_secret(settings.YEKUO_PLATFORM_KEY, key_id)
    key = PlatformKey.objects.create(platform=platform, key_id=key_id, secret_sha256=signing.secret_sha256(secret))
    return Issued(key, secret)


def key_issue(platform: Platform) -> Issued:
    """A new key for the platform, alongside its live ones."""
    with transaction.atomic():
        return _new_key(platform)


def key_rotate(platform: Platform, overlap_hours: int | None = None) -> Issued:
    """A new key; the platform's live keys expire after the overlap (YEKUO_PLATFORM_ROTATION_HOURS), so
    the partner can switch without a gap: until then both are accepted."""
    hours = settings.YEKUO_PLATFORM_ROTATION_HOURS if overlap_hours is None else overlap_hours
    ends = timezone.now() + timedelta(hours=hours)
    with transaction.atomic():
        live(platform.keys.all()).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=ends)).update(expires_at=ends)
        return _new_key(platform)


def key_revoke(key_id: str) -> PlatformKey:
    """Stop accepting a key at once (a leaked secret)."""
    with transaction.atomic():
        key = PlatformKey.objects.select_for_update().get(key_id=key_id)
        if key.revoked_at is None:
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
    return key


def live(keys, now=None):
    now = now or timezone.now()
    return keys.filter(revoked_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


# ------------------------------------------------------------------------------------------ checking a request
def authenticate(request, platform_code: str, body: bytes) -> Platform:
    """The platform that signed `request` (a Django HttpRequest), or SignatureRefused."""
    meta = request.headers
    missing = [h for h in signing.HEADERS if not meta.get(h)]
    if missing:
        raise SignatureRefused(f"missing header(s): {', '.join(missing)}", code="signature_missing")
    key_id, stamp, nonce, signature = (meta[h].strip() for h in signing.HEADERS)
    if not signing.NONCE.fullmatch(nonce):
        raise SignatureRefused("X-Yekuo-Nonce must be 16–64 characters of A–Z, a–z, 0–9, _ and -", code="nonce_invalid")
    try:
        signed_at = int(stamp)
    except ValueError:
        raise SignatureRefused(
            "X-Yekuo-Timestamp must be Unix time in whole seconds", code="timestamp_invalid"
        ) from None
    skew = settings.YEKUO_PLATFORM_CLOCK_SKEW_SECONDS
    if abs(time.time() - signed_at) > skew:
        raise SignatureRefused(
            f"the request was signed at {signed_at}, more than {skew} s from the server's time {int(time.time())}; "
            "check the clock and sign again", code="timestamp_out_of_window",
        )  # fmt: skip
    # The key is read on every request (a revoked key is refused at once); its platform is the process's copy.
    key = _live_key(key_id, platform_code)
    secret = signing.derive_secret(settings.YEKUO_PLATFORM_KEY, key_id) if key else ""
    # The stored hash confirms the derived secret (a changed YEKUO_PLATFORM_KEY invalidates every key, loudly).
    if key is None or not _same(signing.secret_sha256(secret), key[0]):
        raise SignatureRefused("unknown, revoked or expired key for this platform", code="key_invalid")
    if not signing.signature_ok(secret, signature, request.method, request.path, stamp, nonce, body):
        raise SignatureRefused("the signature does not match the request (docs/platforms.md)")
    if not nonce_claim(key_id, nonce):
        raise SignatureRefused("this nonce was already used: sign every request with a new one", code="nonce_replayed")
    return platform_of(key[1:])


@lru_cache
def _live_key_sql(vendor: str) -> str:
    def name(model, field=None):
        meta = model._meta
        return connection.ops.quote_name(meta.db_table if field is None else meta.get_field(field).column)

    k, p = (lambda f: f"k.{name(PlatformKey, f)}"), (lambda f: f"p.{name(Platform, f)}")
    return (
        f"SELECT {k('secret_sha256')}, {p('id')}, {p('account')}, {p('company')}, {p('route')}, {p('channel')} "
        f"FROM {name(PlatformKey)} k JOIN {name(Platform)} p ON p.id = {k('platform')} "
        f"WHERE {k('key_id')} = %s AND {p('code')} = %s AND {p('enabled')} = %s AND {k('revoked_at')} IS NULL "
        f"AND ({k('expires_at')} IS NULL OR {k('expires_at')} > %s)"
    )


def _live_key(key_id: str, platform_code: str) -> tuple | None:
    """(secret hash, platform id, account id, company id, route, channel) of the live key `key_id` of the enabled
    platform `platform_code`, or None: `live()` and the platform's columns in one statement, written out because
    the push's every request pays for it and the QuerySet that says the same cost more to build than to run."""
    now = PlatformKey._meta.get_field("expires_at").get_db_prep_value(timezone.now(), connection)
    with connection.cursor() as cursor:
        cursor.execute(_live_key_sql(connection.vendor), [key_id, platform_code, True, now])
        return cursor.fetchone()


# Each process keeps a platform with its company and its account's roles for PLATFORM_CACHE_SECONDS, which saves
# three model instances and the roles' query on every push. The key, the `enabled` flag, the route, the channel,
# the account and the company are read with each request all the same (the copy is used only while they match),
# so what may be up to that old is only the names and the account's roles.
PLATFORM_CACHE_SECONDS = 30
_platforms: dict[tuple, tuple[float, Platform]] = {}


def platform_of(current: tuple) -> Platform:
    """The platform of `current` = (pk, account id, company id, route, channel), as read with the key."""
    now = time.monotonic()
    found = _platforms.get(current)
    if found is None or now - found[0] > PLATFORM_CACHE_SECONDS:
        platform = Platform.objects.select_related("company", "account__company").get(pk=current[0])
        platform.account.role_codes  # noqa: B018 (read now, kept with the copy)
        if len(_platforms) > 100:
            _platforms.clear()
        found = _platforms[current] = (now, platform)
    return found[1]


def platforms_forget(**kwargs) -> None:
    """Drop this process's copies (a platform was saved here; other processes wait out the seconds)."""
    _platforms.clear()


def _same(a: str, b: str) -> bool:
    return secrets.compare_digest(a, b)


def nonce_claim(key_id: str, nonce: str) -> bool:
    """Record the nonce; False when the key used it before (within twice the skew window)."""
    keep = 2 * settings.YEKUO_PLATFORM_CLOCK_SKEW_SECONDS
    if settings.REDIS_URL:
        return bool(cache.add(f"yekuo:nonce:{key_id}:{nonce}", 1, timeout=keep))
    try:
        with transaction.atomic():
            PlatformNonce.objects.create(key_id=key_id, nonce=nonce, seen_at=timezone.now())
    except IntegrityError:
        return False
    return True


def nonces_forget() -> int:
    """Delete the nonces older than twice the window (a request carrying one is refused as stale anyway)."""
    cutoff = timezone.now() - timedelta(seconds=2 * settings.YEKUO_PLATFORM_CLOCK_SKEW_SECONDS)
    return PlatformNonce.objects.filter(seen_at__lt=cutoff).delete()[0]
