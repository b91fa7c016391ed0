"""The client address a failure count is kept by (common/throttle.client_address): REMOTE_ADDR, or behind
trusted reverse proxies (YEKUO_TRUSTED_PROXIES) the first address of X-Forwarded-For that is not theirs."""

import ipaddress
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory

from yekuo.common.throttle import client_address

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


@pytest.mark.slow  # starts a subprocess
def test_without_redis_the_failure_count_is_shared_by_the_processes_of_one_machine(tmp_path):
    """`yekuo serve` runs several web workers: a guesser must not get ten tries in each of them."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL")}
    env["YEKUO_DATA_DIR"] = str(tmp_path)

    def in_a_new_process(code: str) -> str:
        code = "from yekuo.web.views.progress import LOOKUPS; " + code
        done = subprocess.run([sys.executable, "-m", "yekuo.cli", "shell", "-c", code], env=env, capture_output=True,
                              text=True, cwd=Path(__file__).resolve().parents[1], timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""

    in_a_new_process("[LOOKUPS.failed('198.51.100.66') for _ in range(6)]")
    in_a_new_process("[LOOKUPS.failed('198.51.100.66') for _ in range(4)]")
    assert in_a_new_process("print(LOOKUPS.blocked('198.51.100.66'), LOOKUPS.blocked('198.51.100.7'))") == "True False"
