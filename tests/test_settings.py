"""Settings come from the environment and fail loudly on bad values (O1)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env

ROOT = Path(__file__).resolve().parents[1]
STRONG_KEY = "k3y-" + "Zx9!qR7#mP2$wL5^vN8&bT4*" * 3


def yekuo(*args, **env_vars):
    environ = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}}
    environ.update(env_vars)
    return subprocess.run(
        [sys.executable, "-m", "yekuo.cli", *args], env=environ, cwd=ROOT, capture_output=True, text=True
    )


@pytest.mark.parametrize(
    ("parser", "name", "raw", "message"),
    [
        (lambda: env.env_bool("X_BOOL", False), "X_BOOL", "maybe", "is not a boolean"),
        (lambda: env.env_int("X_INT", 1), "X_INT", "two", "is not an integer"),
        (lambda: env.env_int("X_INT", 1, minimum=1), "X_INT", "0", "must be at least 1"),
        (lambda: env.database_from_url("X_DB", "sqlite://"), "X_DB", "mysql://u@h/db", "not supported"),
        (lambda: env.redis_url("X_REDIS"), "X_REDIS", "localhost:6379", "must start with redis://"),
        (lambda: env.env_networks("X_NETS"), "X_NETS", "10.0.0.0/8, proxy.local", "not an IP address or network"),
        (lambda: env.env_url("X_URL", "http://127.0.0.1:1"), "X_URL", "127.0.0.1:8791", "must be an http://"),
    ],
)
def test_bad_values_raise_naming_the_variable(monkeypatch, parser, name, raw, message):
    monkeypatch.setenv(name, raw)
    with pytest.raises(ImproperlyConfigured, match=message) as caught:
        parser()
    assert name in str(caught.value)


def test_good_values_parse(monkeypatch):
    monkeypatch.setenv("X_BOOL", "Yes")
    monkeypatch.setenv("X_LIST", "a.example, b.example,")
    monkeypatch.setenv("X_DB", "postgresql://postgres@127.0.0.1:5432/yekuo")
    assert env.env_bool("X_BOOL", False) is True
    assert env.env_list("X_LIST", []) == ["a.example", "b.example"]
    assert env.database_from_url("X_DB", "sqlite://")["ENGINE"] == "django.db.backends.postgresql"
    monkeypatch.setenv("X_NETS", "10.0.0.5, 10.1.0.0/16, 2001:db8::/32")
    assert [str(n) for n in env.env_networks("X_NETS")] == ["10.0.0.5/32", "10.1.0.0/16", "2001:db8::/32"]


def test_defaults_are_chinese_shanghai_and_aware():
    from django.conf import settings

    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert "en" in dict(settings.LANGUAGES)


@pytest.mark.slow  # starts a subprocess
def test_production_without_secret_key_fails_loudly(tmp_path):
    done = yekuo("check", YEKUO_ENV="production", YEKUO_DATA_DIR=str(tmp_path), ALLOWED_HOSTS="yekuo.example")
    assert done.returncode != 0
    assert "SECRET_KEY must be set" in done.stderr


@pytest.mark.slow  # starts a subprocess
def test_check_deploy_is_clean_with_production_settings(tmp_path):
    done = yekuo(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        YEKUO_ENV="production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="yekuo.example",
        YEKUO_DATA_DIR=str(tmp_path),
    )
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


@pytest.mark.slow  # starts a subprocess
def test_unknown_environment_name_fails(tmp_path):
    done = yekuo("check", YEKUO_ENV="staging", YEKUO_DATA_DIR=str(tmp_path))
    assert done.returncode != 0 and "YEKUO_ENV" in done.stderr


def test_web_workers_default_to_twice_the_cores_plus_one(monkeypatch):
    # Gunicorn's advice: a worker waits on the database for about half of each request.
    monkeypatch.setattr(env.os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    assert env.default_web_workers() == 7
    monkeypatch.setattr(env.os, "sched_getaffinity", lambda pid: set(range(64)), raising=False)
    assert env.default_web_workers() == env.MAX_DEFAULT_WEB_WORKERS  # each holds a database connection


@pytest.mark.slow  # starts a subprocess
def test_web_workers_setting_reads_web_workers(tmp_path):
    shown = "from django.conf import settings; print(settings.YEKUO_WEB_WORKERS)"
    done = yekuo("shell", "-c", shown, WEB_WORKERS="3", YEKUO_DATA_DIR=str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "3"
    done = yekuo("shell", "-c", shown, WEB_WORKERS="0", YEKUO_DATA_DIR=str(tmp_path))
    assert done.returncode != 0 and "WEB_WORKERS" in done.stderr


@pytest.mark.slow  # starts a subprocess
def test_a_command_whose_database_is_unreachable_says_so_in_one_line(tmp_path):
    done = yekuo("calendar", "seed", DATABASE_URL="postgresql://postgres@127.0.0.1:1/nowhere",
                 YEKUO_DATA_DIR=str(tmp_path))  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "database_unavailable: connection failed" in done.stderr and "Traceback" not in done.stderr


# The server's start: config/wsgi.py, with the warm-up replaced by a marker (the real one needs a calendar).
WSGI_PROBE = (
    "import django; django.setup(); import yekuo.orders.warmup as w; "
    "w.warm_up = lambda: print('warmed') or True; import config.wsgi"
)


@pytest.mark.slow  # starts a subprocess
@pytest.mark.parametrize(("raw", "warmed"), [("false", False), ("0", False), ("no", False), ("true", True)])
def test_yekuo_warm_up_is_a_boolean_setting(tmp_path, raw, warmed):
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environ.update(DJANGO_SETTINGS_MODULE="config.settings", YEKUO_DATA_DIR=str(tmp_path), YEKUO_WARM_UP=raw)
    done = subprocess.run([sys.executable, "-c", WSGI_PROBE], env=environ, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert ("warmed" in done.stdout) is warmed


@pytest.mark.slow  # starts a subprocess
def test_a_mistyped_yekuo_warm_up_stops_the_server(tmp_path):
    done = yekuo("check", YEKUO_WARM_UP="nope", YEKUO_DATA_DIR=str(tmp_path))
    assert done.returncode != 0 and "YEKUO_WARM_UP" in done.stderr


@pytest.mark.slow  # starts a subprocess
def test_debug_is_off_unless_asked_for(tmp_path):
    """O1: Django's debug page (settings, code, data) only on DEBUG=1, never by default."""
    shown = "from django.conf import settings; print(settings.DEBUG)"
    environ = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    done = subprocess.run([sys.executable, "-m", "yekuo.cli", "shell", "-c", shown], cwd=ROOT, capture_output=True,
                          text=True, env={**environ, "YEKUO_DATA_DIR": str(tmp_path)})  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False"
    done = yekuo("shell", "-c", shown, DEBUG="1", YEKUO_DATA_DIR=str(tmp_path))
    assert done.stdout.strip().splitlines()[-1] == "True"
    production = dict(YEKUO_ENV="production", SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="yekuo.example")
    done = yekuo("shell", "-c", shown, DEBUG="1", YEKUO_DATA_DIR=str(tmp_path), **production)
    assert done.returncode != 0 and "DEBUG must be off" in done.stderr


@pytest.mark.slow  # starts a subprocess
def test_demo_refuses_a_production_server_unless_forced(tmp_path):
    """O2: the demo's superuser has the password published in docs/demo.md."""
    production = dict(YEKUO_ENV="production", SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="yekuo.example",
                      YEKUO_DATA_DIR=str(tmp_path))  # fmt: skip
    for step in (
        ["migrate", "-v0"],
        ["calendar", "seed"],
        ["regulations", "load-bundled"],
        ["approvals", "load-bundled"],
    ):
        assert yekuo(*step, **production).returncode == 0
    refused = yekuo("demo", **production)
    assert refused.returncode != 0 and "refusing to load the demo" in refused.stderr
    count = "from yekuo.accounts.models import User; print(User.objects.count())"
    assert yekuo("shell", "-c", count, **production).stdout.strip().splitlines()[-1] == "0"
    forced = yekuo("demo", "--force", **production)
    assert forced.returncode == 0, forced.stderr
    assert "WARNING" in forced.stderr and "public demo password" in forced.stderr


def test_postgresql_binds_on_the_server_and_prepares_unless_told_not_to(monkeypatch):
    """P2: the write path's statements are prepared on the server; DATABASE_PREPARE=off for a pooler that
    cannot keep prepared statements."""
    from config.env import database_from_url

    url = "postgresql://postgres@127.0.0.1:5432/x"
    monkeypatch.delenv("DATABASE_PREPARE", raising=False)
    assert database_from_url("X_DB", url)["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 5}
    monkeypatch.setenv("DATABASE_PREPARE", "off")
    assert database_from_url("X_DB", url)["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": None}


def test_the_worker_log_prints_each_line_once():
    """`run_huey` adds a handler of its own to the "huey" logger only when it has none; with the root handler
    also printing, every task line came out twice. The settings give "huey" its one handler and stop it there."""
    import logging

    huey = logging.getLogger("huey")
    printing = [h for h in huey.handlers if type(h) is logging.StreamHandler]  # pytest adds capturing handlers
    assert len(printing) == 1 and huey.propagate is False
