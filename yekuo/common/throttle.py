"""Counting failures per client in the cache, to stop guessing (the customer progress lookup).

Shared between processes when the cache is Redis (REDIS_URL); per process with the local-memory default,
which still bounds a single server's guessing rate.
"""

from django.core.cache import cache


def client_address(request) -> str:
    """The client's address as the server saw it (a proxy in front must pass REMOTE_ADDR through, e.g. with
    gunicorn's --forwarded-allow-ips; X-Forwarded-For is not trusted here because anybody can send it)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


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
