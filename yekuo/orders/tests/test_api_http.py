"""Real HTTP (O3, O4): gunicorn serving a scratch SQLite database, events POSTed with urllib.

One module-scoped server: migrate, `yekuo calendar seed`, `yekuo regulations load-bundled`, an integration
account with a token, then `python -m gunicorn config.wsgi` on a free 127.0.0.1 port.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # each test starts gunicorn
ROOT = Path(__file__).resolve().parents[3]
SETUP = """
from rest_framework.authtoken.models import Token
from yekuo.accounts.models import Branch, Company, ServiceArea
from yekuo.accounts.services import user_create
company = Company.objects.create(code="http", name="HTTP")
branch = Branch.objects.create(company=company, code="east", name="East")
ServiceArea.objects.create(branch=branch, code="east", name="East", keywords=["东区"])
user = user_create(username="integration", company=company, roles=["integration"])
print(Token.objects.create(user=user).key)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _gunicorn(env: dict, workers: int = 1, threads: int = 1) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--threads", str(threads), "--no-control-socket"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    return process, f"http://127.0.0.1:{port}"


def http_get(base: str, path: str, headers: dict | None = None) -> tuple[int, dict, str]:
    """(status, headers, body) of a GET, an error status included."""
    request = urllib.request.Request(f"{base}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def _wait_until_answering(process: subprocess.Popen, probe) -> None:
    """Until `probe` stops raising OSError. The first request also boots Django in the worker: on a slow host that
    takes seconds, so wait by the clock, not by a count of short tries, and let a slow answer (a timeout is an
    OSError too) try again."""
    deadline = time.monotonic() + 90
    while True:
        try:
            probe()
            return
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited: {process.stderr.read().decode()[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail("gunicorn did not answer /healthz within 90 s")
            time.sleep(0.2)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    scratch = tmp_path_factory.mktemp("http")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{scratch / 'db.sqlite3'}",
        "YEKUO_DATA_DIR": str(scratch),
        "DEBUG": "false",
    }
    env.pop("REDIS_URL", None)

    def yekuo(*args):
        done = subprocess.run([sys.executable, "-m", "yekuo.cli", *args], env=env, cwd=ROOT, capture_output=True,
                              text=True, timeout=300)  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout

    yekuo("migrate", "--verbosity", "0")
    yekuo("calendar", "seed")
    yekuo("regulations", "load-bundled")
    token = yekuo("shell", "-c", SETUP).strip().splitlines()[-1]
    process, base = _gunicorn(env)
    try:
        _wait_until_answering(process, lambda: urllib.request.urlopen(f"{base}/healthz", timeout=10))
        yield base, token
    finally:
        process.terminate()
        process.wait(timeout=10)


def call(server, method, path, body=None, raw=None, token=True):
    base, key = server
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(f"{base}{path}", data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {key}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


ORDER = {"external_ref": "MBS-9", "applied_at": "2026-11-02T08:50:00+08:00", "category": "lv_resident",
         "channel": "online", "customer_name": "张三", "site_address": "东区康和路1号", "capacity_kva": 8,
         "voltage": "220V", "customer_phone": "13912345678"}  # fmt: skip


def test_events_over_http(server):
    events = [
        {"id": "1", "type": "order.received", "at": "2026-11-02T09:00:00+08:00", "order": ORDER},
        {"id": "2", "type": "node.completed", "at": "2026-11-02T10:00:00+08:00", "node": "acceptance",
         "order": {"external_ref": "MBS-9"}},
        {"id": "3", "type": "node.completed", "at": "2026-11-02T11:00:00+08:00", "node": "nap",
         "order": {"external_ref": "MBS-9"}},
    ]  # fmt: skip
    status, body = call(server, "POST", "/api/v1/events", events)
    assert status == 200 and body["summary"] == {"total": 3, "applied": 2, "duplicate": 0, "rejected": 1}
    status, again = call(server, "POST", "/api/v1/events", events[0])
    assert status == 200 and again["results"][0]["status"] == "duplicate"
    number = body["results"][0]["order"]
    status, order = call(server, "GET", f"/api/v1/orders/{number}/")
    assert status == 200 and order["status"] == "in_transit"
    clocks = {c["code"]: c for c in order["clocks"]}
    assert clocks["acceptance"]["completed_at"] == "2026-11-02T10:00:00+08:00"
    assert clocks["survey_plan"]["deadline_at"] == "2026-11-03T10:00:00+08:00"
    assert [e["type"] for e in order["events"]] == ["order.created", "order.received", "node.completed"]


def test_errors_over_http_are_json(server):
    status, body = call(server, "POST", "/api/v1/events", raw=b"{nope")
    assert (status, body["code"]) == (400, "malformed_request") and body["message"]
    status, body = call(server, "GET", "/api/v1/orders/", token=False)
    assert (status, body["code"]) == (401, "not_authenticated")
    status, body = call(server, "GET", "/api/nowhere")
    assert (status, body["code"]) == (404, "not_found")


def test_a_server_whose_database_is_down_answers_503_and_says_so(tmp_path):
    """Nothing listens on port 1: every query fails to connect. The API answers 503 database_unavailable in JSON,
    the pages a Chinese 503 page, /healthz 503; none of them the server-error page."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "YEKUO_DATA_DIR": str(tmp_path),
           "DATABASE_URL": "postgresql://postgres@127.0.0.1:1/nowhere", "DEBUG": "false"}  # fmt: skip
    env.pop("REDIS_URL", None)
    process, base = _gunicorn(env)

    def get(path, headers=None):
        return http_get(base, path, headers)

    try:
        answers = []
        _wait_until_answering(process, lambda: answers.append(get("/healthz")))
        status, _, body = answers[-1]
        assert status == 503 and json.loads(body)["database"].startswith("error"), body
        status, headers, body = get("/api/v1/orders/", {"Authorization": "Token " + "0" * 40})
        assert status == 503 and json.loads(body)["code"] == "database_unavailable"
        assert headers["Retry-After"] == "5"
        status, headers, body = get("/orders/", {"Cookie": "sessionid=" + "a" * 32})
        assert status == 503 and "系统繁忙" in body and headers["Retry-After"] == "5"
    finally:
        process.terminate()
        process.wait(timeout=10)
