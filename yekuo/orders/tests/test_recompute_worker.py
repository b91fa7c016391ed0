"""The calendar recompute job run by Huey's real consumer (REQUIREMENTS I7): queued by a calendar load's
commit, taken by `yekuo run_huey` in another process, with its progress and each moved order's
`calendar.recomputed` event."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.slow  # starts processes: the waiting one and the consumer
def test_the_consumer_runs_the_recompute_job_with_progress_and_events(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL")}
    done = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("recompute_worker.py")), str(tmp_path), "3"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert (result["done"], result["total"], result["moved"], result["error"]) == (3, 3, 3, ""), result
    assert result["finished"]
    assert result["reports"][-1] == [3, 3]  # the waiting side saw the consumer's progress
    assert result["after"] != result["before"]  # 2026-12-01 became a day off: the deadlines moved
    assert result["events"] == [[{"years": [2026], "calendar": result["token"]}]] * 3
    assert result["differing"] == 0
    assert "recompute_calendar" in result["worker_log"]
