"""The embedded default (SQLite) takes writes from several processes at once: `yekuo serve` runs several web
workers and a task worker over one file. With SQLite's deferred transactions an action (read, then write)
was refused with "database is locked" as soon as another process wrote; config/env.py now begins
transactions IMMEDIATE, in WAL mode."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow  # starts a subprocess
def test_several_processes_work_orders_in_one_sqlite_file(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL")}
    env["YEKUO_DATA_DIR"] = str(tmp_path)
    processes, orders = 3, 6
    done = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "sqlite_writers.py"), str(tmp_path / "y.sqlite3"), str(processes),
         str(orders)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert [w["refused"] for w in result["workers"]] == [[]] * processes
    assert result["energized"] == processes * orders
    assert result["differing"] == 0


def test_the_embedded_database_is_in_wal_mode_with_immediate_transactions(tmp_path):
    from config.env import database_from_url

    options = database_from_url("X_DB", f"sqlite:///{tmp_path / 'y.sqlite3'}")["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]
