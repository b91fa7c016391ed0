"""A database that was never migrated: every command says so in one line with what to run, and exits 2; a
server on it answers 503 database_not_migrated (API) or a page saying the system is not set up; a database
that is down keeps `database_unavailable` (tests/test_settings.py). On a fresh SQLite file, and on a fresh
PostgreSQL database when the suite runs on PostgreSQL (O6)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from yekuo.orders.tests.test_api_http import _free_port, _gunicorn, _wait_until_answering, http_get

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow  # every test runs `yekuo` or a server in a subprocess

# yekuo's own commands, a Django command (through `yekuo`'s entry point) and the server.
COMMANDS = [
    ("calendar", "seed"),
    ("regulations", "load-bundled"),
    ("orders", "verify"),
    ("demo",),
    ("replay", "docs/examples/replay-10kv.json"),
    ("whatif", "--regulation", "docs/examples/whatif-survey-faster.toml", "--from", "2026-10-01", "--to", "2026-10-31"),
    ("export", "events", "--format", "xes", "--from", "2026-10-01", "--to", "2026-10-31"),
    ("createsuperuser", "--noinput", "--username", "admin", "--email", "admin@example.com"),
    ("serve", "--no-worker"),
]


def run(database_url: str, data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "REDIS_URL"}}
    environ.update(DATABASE_URL=database_url, YEKUO_DATA_DIR=str(data_dir), DJANGO_SUPERUSER_PASSWORD="x-Secret-9")
    return subprocess.run(
        [sys.executable, "-m", "yekuo.cli", *args], env=environ, cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def assert_one_line_saying_migrate(done: subprocess.CompletedProcess) -> None:
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert "database_not_migrated" in lines[0] and "yekuo migrate" in lines[0] and "make run" in lines[0]
    assert "database_unavailable" not in lines[0] and "again" not in lines[0]


@pytest.fixture
def empty_sqlite(tmp_path) -> str:
    path = tmp_path / "empty.sqlite3"
    path.touch()
    return f"sqlite:///{path}"


@pytest.fixture
def empty_postgres():
    """A fresh, empty PostgreSQL database beside the test database, dropped afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("the suite runs on SQLite; the PostgreSQL run (DATABASE_URL=postgresql://…) covers this")
    import psycopg

    params = connection.settings_dict
    name = f"{params['NAME']}_unmigrated"
    server = {"host": params["HOST"] or "127.0.0.1", "port": params["PORT"] or 5432, "user": params["USER"]}
    if params.get("PASSWORD"):
        server["password"] = params["PASSWORD"]
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    credentials = server["user"] + (f":{server['password']}" if "password" in server else "")
    yield f"postgresql://{credentials}@{server['host']}:{server['port']}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_every_command_on_a_fresh_sqlite_file_says_run_migrate(tmp_path, empty_sqlite, command):
    assert_one_line_saying_migrate(run(empty_sqlite, tmp_path, *command, *_port(command)))


@pytest.mark.parametrize("command", COMMANDS[:1] + COMMANDS[-2:], ids=lambda c: c[0])
def test_commands_on_a_fresh_postgresql_database_say_run_migrate(tmp_path, empty_postgres, command):
    assert_one_line_saying_migrate(run(empty_postgres, tmp_path, *command, *_port(command)))


def _port(command) -> tuple[str, ...]:
    return ("--port", str(_free_port())) if command[0] == "serve" else ()


def test_migrate_then_works(tmp_path, empty_sqlite):
    """The advice is right: after `yekuo migrate` the same command succeeds."""
    assert run(empty_sqlite, tmp_path, "migrate", "--noinput").returncode == 0
    done = run(empty_sqlite, tmp_path, "calendar", "seed")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("database", ["empty_sqlite", "empty_postgres"])
def test_a_server_on_a_database_never_migrated_answers_503_not_migrated(request, tmp_path, database):
    url = request.getfixturevalue(database)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "YEKUO_DATA_DIR": str(tmp_path),
           "DATABASE_URL": url, "DEBUG": "false"}  # fmt: skip
    env.pop("REDIS_URL", None)
    process, base = _gunicorn(env)
    try:
        answers = []
        _wait_until_answering(process, lambda: answers.append(http_get(base, "/healthz")))
        status, _, body = answers[-1]
        assert status == 503 and json.loads(body)["database"] == "error: database_not_migrated", body
        status, headers, body = http_get(base, "/api/v1/orders/", {"Authorization": "Token " + "0" * 40})
        assert status == 503 and json.loads(body)["code"] == "database_not_migrated", body
        assert "yekuo migrate" in json.loads(body)["message"] and "Retry-After" not in headers
        status, _, body = http_get(base, "/orders/", {"Cookie": "sessionid=" + "a" * 32})
        assert status == 503 and "系统尚未初始化" in body and "yekuo migrate" in body
        status, _, body = http_get(base, "/")
        assert status == 503 and "系统尚未初始化" in body
    finally:
        process.terminate()
        process.wait(timeout=10)
