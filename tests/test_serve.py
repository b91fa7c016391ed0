"""`yekuo serve` runs the web and the worker, and stops both on SIGTERM (make run uses it)."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow  # each test starts `yekuo serve`


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, seconds: float = 90) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return '"status": "ok"' in response.read().decode()
    except OSError:
        return False


def test_serve_runs_web_and_worker_and_stops_cleanly(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL", "DEBUG")}
    env.update(YEKUO_DATA_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}")
    subprocess.run([sys.executable, "-m", "yekuo.cli", "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "yekuo.cli", "serve", "--port", str(port), "--workers", "1"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(server.stdout), daemon=True)
    reader.start()
    try:
        assert wait_for(lambda: healthy(port)), "".join(lines)
        # The worker logs its start, then its tasks, on its own schedule; wait for them rather than race them.
        assert wait_for(lambda: any("extend_provisional_calendar" in line for line in lines)), "".join(lines)
        # O1: no DEBUG in the environment is no debug page; an unknown API path is the API's JSON 404.
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/no-such-thing/", timeout=10)
        except urllib.error.HTTPError as missing:
            assert missing.code == 404 and missing.headers["Content-Type"] == "application/json"
            assert json.loads(missing.read())["code"] == "not_found"
        else:
            raise AssertionError("an unknown API path answered 200")
        # Its own gunicorn control socket, not the one every gunicorn of this user shares. gunicorn opens it in a
        # thread of its own after the workers have started, so it may come after the first answer.
        assert wait_for(lambda: (tmp_path / "gunicorn.ctl").is_socket()), "".join(lines)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        reader.join(timeout=5)
    output = "".join(lines)
    assert "with a worker" in output and "Huey consumer started" in output  # with the daily calendar task
    assert server.returncode == 0, output


def test_serve_stopped_while_its_children_start_exits_cleanly(tmp_path):
    """A SIGTERM that reaches a child before it has set its own handlers is still a stop we asked for."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL")}
    env.update(YEKUO_DATA_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}")
    subprocess.run([sys.executable, "-m", "yekuo.cli", "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "yekuo.cli", "serve", "--port", str(free_port()), "--workers", "1"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        first = server.stdout.readline()  # written once both children are started, before either is ready
        assert "serving on" in first
    finally:
        server.send_signal(signal.SIGTERM)
        output = first + server.communicate(timeout=60)[0]
    assert server.returncode == 0, output
