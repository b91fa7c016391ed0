"""Limiting tries (common/throttle): the client address a count is kept by (REMOTE_ADDR, or behind trusted
reverse proxies, YEKUO_TRUSTED_PROXIES, the first address of X-Forwarded-For that is not theirs), and the count
itself, exact under concurrency and with a window that neither shrinks nor grows, in Redis and in the database
(S2, R15)."""

import http.cookiejar
import ipaddress
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from yekuo.common import throttle
from yekuo.common.models import FailureCount
from yekuo.common.throttle import FailureLimit, client_address

ROOT = Path(__file__).resolve().parents[1]
# Redis for the probes: the suite's own when it runs with one, else the local default (CI starts it).
PROBE_REDIS = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"

PROXIES = (ipaddress.ip_network("10.0.0.0/24"), ipaddress.ip_network("2001:db8::/32"))


def address(settings, remote, forwarded=None, proxies=PROXIES):
    settings.YEKUO_TRUSTED_PROXIES = proxies
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_address(RequestFactory().post("/progress/", REMOTE_ADDR=remote, **extra))


@pytest.mark.parametrize(
    ("remote", "forwarded", "proxies", "expected"),
    [
        # No proxy configured: the header is anybody's to write, so it is ignored.
        ("203.0.113.7", "198.51.100.1", (), "203.0.113.7"),
        # From an address that is not a trusted proxy: ignored too.
        ("203.0.113.7", "198.51.100.1", PROXIES, "203.0.113.7"),
        # One trusted proxy: the address it received from.
        ("10.0.0.5", "198.51.100.1", PROXIES, "198.51.100.1"),
        # The client wrote its own X-Forwarded-For: only the entry the proxy appended counts.
        ("10.0.0.5", "1.1.1.1, 198.51.100.1", PROXIES, "198.51.100.1"),
        # Two proxies in a row (10.0.0.9 forwarded to 10.0.0.5): past both.
        ("10.0.0.5", "1.1.1.1, 198.51.100.1, 10.0.0.9", PROXIES, "198.51.100.1"),
        # Ports some proxies add, IPv4 and IPv6: a new port is not a new client.
        ("10.0.0.5", "198.51.100.1:51234", PROXIES, "198.51.100.1"),
        (
            "2001:db8::5",
            "[2001:db8:ffff::1]:443, 2001:db8::9",
            (ipaddress.ip_network("2001:db8::/64"),),
            "2001:db8:ffff::1",
        ),
        # Every hop a trusted proxy: the leftmost, the client among them.
        ("10.0.0.5", "10.0.0.7, 10.0.0.9", PROXIES, "10.0.0.7"),
        # A trusted proxy that sent no header: the proxy itself.
        ("10.0.0.5", None, PROXIES, "10.0.0.5"),
        ("10.0.0.5", " , ", PROXIES, "10.0.0.5"),
    ],
)
def test_client_address(settings, remote, forwarded, proxies, expected):
    assert address(settings, remote, forwarded, proxies) == expected


@pytest.fixture(params=["database", "redis"])
def backend(request, settings, db):
    settings.REDIS_URL = PROBE_REDIS if request.param == "redis" else None
    return request.param


def limit_for_test(limit=3, seconds=600) -> FailureLimit:
    return FailureLimit(f"probe-{uuid.uuid4().hex[:12]}", limit=limit, seconds=seconds)


def test_a_successful_try_is_given_back(backend):
    limit = limit_for_test()
    for _ in range(5):
        assert limit.attempt("198.51.100.1")
        limit.succeeded("198.51.100.1")
    assert not limit.blocked("198.51.100.1")
    assert [limit.attempt("198.51.100.1") for _ in range(4)] == [True, True, True, False]
    assert limit.blocked("198.51.100.1") and not limit.blocked("198.51.100.2")


def test_database_window_starts_at_the_first_try_and_ends_on_time(settings, db, monkeypatch):
    """The file cache's increment reset the expiry to its 5-minute default: a 10-minute block lifted after 5."""
    settings.REDIS_URL = None
    limit, start = limit_for_test(seconds=600), timezone.now()

    def at(seconds):
        monkeypatch.setattr(throttle.timezone, "now", lambda: start + timedelta(seconds=seconds))

    at(0)
    assert limit.attempt("198.51.100.3")
    at(300)
    assert limit.attempt("198.51.100.3") and limit.attempt("198.51.100.3")
    assert not limit.attempt("198.51.100.3")  # the fourth, and later tries, do not push the end back
    at(599)
    assert not limit.attempt("198.51.100.3") and limit.blocked("198.51.100.3")
    at(600)
    assert not limit.blocked("198.51.100.3")
    assert limit.attempt("198.51.100.3")  # a new window of its own
    row = FailureCount.objects.get(key__endswith=":198.51.100.3")
    assert row.count == 1 and row.window_ends_at == start + timedelta(seconds=1200)


def test_redis_window_is_set_by_the_first_try_only(settings):
    settings.REDIS_URL = PROBE_REDIS
    store = redis.Redis.from_url(PROBE_REDIS)
    limit = limit_for_test(seconds=600)
    key = limit._key("198.51.100.4")
    assert limit.attempt("198.51.100.4")
    assert 590 <= store.ttl(key) <= 600
    store.expire(key, 30)  # as if 570 seconds had gone by
    assert limit.attempt("198.51.100.4") and limit.attempt("198.51.100.4") and not limit.attempt("198.51.100.4")
    limit.succeeded("198.51.100.4")
    assert 0 < store.ttl(key) <= 30  # neither the tries nor the give-back extended the window
    store.delete(key)  # as if the window had ended
    limit.succeeded("198.51.100.4")  # a give-back after the end does not leave a count without an end
    assert store.get(key) is None
    assert limit.attempt("198.51.100.4") and 590 <= store.ttl(key) <= 600


def test_a_redis_connection_lost_in_its_handshake_is_tried_again(settings, monkeypatch):
    """S2: under a burst, Redis closed a new connection during its handshake and redis-py raised ValueError from
    its closed buffer: the lookup answered 500. The try is made again on a new connection."""
    from redis.client import Pipeline

    settings.REDIS_URL = PROBE_REDIS
    limit = limit_for_test(seconds=600)
    key = limit._key("198.51.100.5")
    store = redis.Redis.from_url(PROBE_REDIS)
    store.delete(key)
    real_execute, failures = Pipeline.execute, []

    def lose_the_first(self, *args, **kwargs):
        if not failures:
            failures.append(1)
            raise ValueError("I/O operation on closed file.")
        return real_execute(self, *args, **kwargs)

    monkeypatch.setattr(Pipeline, "execute", lose_the_first)
    assert limit.attempt("198.51.100.5")
    assert failures and int(store.get(key)) == 1  # counted once
    store.delete(key)


def _server_database(tmp_path, env) -> str:
    """A database the server process can share with this test: a scratch SQLite file, or on PostgreSQL this
    test's own database (committed, since the test is transactional)."""
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        return f"postgresql://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    url = f"sqlite:///{tmp_path / 'probe.sqlite3'}"
    subprocess.run([sys.executable, "-m", "yekuo.cli", "migrate", "-v0"], env={**env, "DATABASE_URL": url},
                   cwd=ROOT, check=True, timeout=300)  # fmt: skip
    return url


@pytest.mark.slow  # starts a server
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("store", ["database", "redis"])
def test_forty_simultaneous_wrong_lookups_get_exactly_ten_tries(tmp_path, store):
    """S2: 40 wrong lookups at once from one address through a real multi-process server got 21 tries. The
    lookup is now the customer's code check at /c/track (20 checks per client address in the window)."""
    from yekuo.customers.services import CHECKS_PER_CLIENT
    from yekuo.orders.tests.test_api_http import _gunicorn, _wait_until_answering

    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL", "DEBUG")}
    env.update(YEKUO_DATA_DIR=str(tmp_path), YEKUO_TRUSTED_PROXIES="127.0.0.1")
    env["DATABASE_URL"] = _server_database(tmp_path, env)
    if store == "redis":
        env["REDIS_URL"] = PROBE_REDIS
    process, base = _gunicorn(env, workers=3, threads=8)
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    try:
        _wait_until_answering(process, lambda: opener.open(f"{base}/c/track", timeout=10))
        page = opener.open(f"{base}/c/track", timeout=30).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        guesser = f"198.51.100.{uuid.uuid4().int % 250 + 1}"
        other = f"203.0.113.{uuid.uuid4().int % 250 + 1}"
        if store == "redis":  # Redis keeps a window for 15 minutes: an earlier run may have used these addresses
            keys = (f"yekuo:throttle:{CHECKS_PER_CLIENT.name}:{client}" for client in (guesser, other))
            redis.Redis.from_url(PROBE_REDIS).delete(*keys)

        def look(client: str, i: int) -> int:
            body = urlencode({"csrfmiddlewaretoken": token, "action": "check", "number": f"YK2099{i:06d}",
                              "code": "000000"})  # fmt: skip
            headers = {"X-Forwarded-For": client, "Referer": f"{base}/c/track"}
            request = urllib.request.Request(f"{base}/c/track", data=body.encode(), method="POST", headers=headers)
            try:
                return opener.open(request, timeout=60).status
            except urllib.error.HTTPError as refused:
                return refused.code

        with ThreadPoolExecutor(max_workers=40) as pool:
            statuses = list(pool.map(lambda i: look(guesser, i), range(40)))
        assert look(other, 99) == 400  # another address is not held up by the guesser: a wrong code, not 429
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=30)
    # Checked after the server has stopped, so that a failure shows what the server logged (a 500's traceback).
    tries = CHECKS_PER_CLIENT.limit
    assert sorted(statuses) == [400] * tries + [429] * (40 - tries), f"{statuses}\n{errors.decode()[-4000:]}"
