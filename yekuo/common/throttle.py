"""Limiting tries per client, to stop guessing (the customer progress lookup), and the client's address.

A try is counted before it is made and given back when it succeeds, so at most `limit` failures get through in a
window however many requests arrive at once: checking first and counting after let 40 simultaneous wrong lookups
make 21 tries. The count is one atomic step shared by every process and machine: Redis `INCR` (its expiry set
once, by the first try) when REDIS_URL is set, otherwise a database row changed by conditional UPDATEs. The window
starts at the first try and is not extended by later ones, so a block lifts when the window the page states ends.
"""

import ipaddress
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from yekuo.common.models import FailureCount


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, unless that is a proxy of YEKUO_TRUSTED_PROXIES; then X-Forwarded-For
    read from the right, past the trusted proxies, to the first address none of them is (each proxy appends
    the address it received from, so only the entries right of that one are vouched for: anything further
    left the client could have written). gunicorn passes X-Forwarded-For through without touching
    REMOTE_ADDR, so without this every customer behind a proxy would be the proxy."""
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    proxies = settings.YEKUO_TRUSTED_PROXIES
    if not proxies or not _trusted(remote, proxies):
        return remote
    hops = [_host(hop) for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop
    return hops[0] if hops else remote  # every hop a trusted proxy: the client is one of them


def client_ip(request) -> str | None:
    """client_address, or None when it is not an IP address (no REMOTE_ADDR: a Unix socket, a test client's
    force_login). For django-axes (AXES_CLIENT_IP_CALLABLE), whose records keep the address in an IP column that
    PostgreSQL refuses anything else in: a sign-in must not fail because its address is unknown."""
    address = client_address(request)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address


def _host(hop: str) -> str:
    """The address of an X-Forwarded-For entry without the port some proxies add (`1.2.3.4:5678`,
    `[2001:db8::1]:5678`): a new port per connection must not make a new client."""
    hop = hop.strip()
    if hop.startswith("["):
        return hop[1:].split("]", 1)[0]
    if hop.count(":") == 1:
        return hop.split(":", 1)[0]
    return hop


def _trusted(address: str, proxies: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False  # not an address (a proxy never writes that): the chain of trust ends here
    return any(ip in network for network in proxies)


class FailureLimit:
    """At most `limit` failed tries per key in a window of `seconds` that starts at the first try."""

    def __init__(self, name: str, limit: int, seconds: int):
        self.name, self.limit, self.seconds = name, limit, seconds

    @property
    def minutes(self) -> int:
        return -(-self.seconds // 60)

    def _key(self, key: str) -> str:
        return f"yekuo:throttle:{self.name}:{key}"

    def attempt(self, key: str) -> bool:
        """Count a try for `key`; False (and nothing to try) when the limit is reached."""
        if settings.REDIS_URL:
            return _redis_attempt(self._key(key), self.limit, self.seconds)
        return _database_attempt(self._key(key), self.limit, self.seconds)

    def succeeded(self, key: str) -> None:
        """Give back the try just counted: only failures count against the limit."""
        if settings.REDIS_URL:
            _refund_script()(keys=[self._key(key)])
        else:
            FailureCount.objects.filter(key=self._key(key), count__gt=0).update(count=F("count") - 1)

    def blocked(self, key: str) -> bool:
        if settings.REDIS_URL:
            return int(_redis().get(self._key(key)) or 0) >= self.limit
        now = timezone.now()
        return FailureCount.objects.filter(key=self._key(key), window_ends_at__gt=now, count__gte=self.limit).exists()


def _connection_errors() -> tuple[type[Exception], ...]:
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, ValueError)


@cache
def _redis_client(url: str):
    import redis

    return redis.Redis.from_url(url)


def _redis():
    return _redis_client(settings.REDIS_URL)


def _redis_attempt(key: str, limit: int, seconds: int) -> bool:
    # One transaction: the count, and the window's end set by the first try only (NX), never pushed back.
    for tries_left in (2, 1, 0):
        try:
            pipe = _redis().pipeline(transaction=True)
            pipe.incr(key)
            pipe.expire(key, seconds, nx=True)
            count, _expiry_set = pipe.execute()
            return count <= limit
        except _connection_errors():
            # A burst of new connections to a loaded Redis can have one closed during its handshake, before any
            # command was sent (redis-py then raises ValueError from its closed read buffer, not ConnectionError:
            # a lookup answered 500). Try again on a new connection. Were the transaction applied and only its
            # answer lost, the try counts twice: the guessing limit errs towards refusing, never towards more.
            if not tries_left:
                raise
    raise AssertionError("unreachable")


# DECR only a live count: a key that expired meanwhile must not come back as -1 without an expiry.
_REFUND = (
    "local n = tonumber(redis.call('GET', KEYS[1]) or '0') "
    "if n > 0 then return redis.call('DECR', KEYS[1]) end return 0"
)


@cache
def _refund_script_for(url: str):
    return _redis_client(url).register_script(_REFUND)


def _refund_script():
    return _refund_script_for(settings.REDIS_URL)


def _database_attempt(key: str, limit: int, seconds: int) -> bool:
    """Each step is one conditional UPDATE (or the INSERT of a new key), atomic on SQLite and PostgreSQL alike; a
    step that loses a race to another process changes nothing, and the loop looks again."""
    now = timezone.now()
    window_ends = now + timedelta(seconds=seconds)
    rows = FailureCount.objects.filter(key=key)
    for _ in range(5):
        if rows.filter(window_ends_at__gt=now, count__lt=limit).update(count=F("count") + 1):
            return True
        if rows.filter(window_ends_at__lte=now).update(count=1, window_ends_at=window_ends):
            return True
        current = rows.values_list("count", "window_ends_at").first()
        if current is None:
            try:
                with transaction.atomic():
                    FailureCount.objects.create(key=key, count=1, window_ends_at=window_ends)
            except IntegrityError:
                continue  # another process made it first: count on it
            # Windows long over are kept by nobody: one new client clears them (window_ends_at is indexed).
            FailureCount.objects.filter(window_ends_at__lt=now - timedelta(days=1)).delete()
            return True
        if current[1] > now and current[0] >= limit:
            return False
    return False
