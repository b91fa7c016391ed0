"""Counting failures per client in the cache, to stop guessing (the customer progress lookup).

Shared between processes: through Redis when REDIS_URL is set (and so between machines), otherwise through
files in YEKUO_DATA_DIR/cache (between the web workers of one machine; an increment there is not atomic, so two
failures at the same instant may count as one).
"""

import ipaddress

from django.conf import settings
from django.core.cache import cache


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
    """At most `limit` failures per key in `seconds`; the window starts at the first failure."""

    def __init__(self, name: str, limit: int, seconds: int):
        self.name, self.limit, self.seconds = name, limit, seconds

    def _key(self, key: str) -> str:
        return f"yekuo:throttle:{self.name}:{key}"

    def blocked(self, key: str) -> bool:
        return (cache.get(self._key(key)) or 0) >= self.limit

    def failed(self, key: str) -> None:
        cache_key = self._key(key)
        if cache.add(cache_key, 1, self.seconds):
            return
        try:
            cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, self.seconds)
