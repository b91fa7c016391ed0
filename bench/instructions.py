"""Instructions per service call of the worker process, counted by valgrind's callgrind: the same count for the
same code on any host, loaded or not, so it shows a 2 % change that no timing on a shared VM can.

    .venv/bin/python bench/instructions.py [--orders 100]

Prepares the benchmark database as bench/lifecycle.py does (BENCH_DATABASE_URL), then runs the worker loop of
bench/per_action.py (each order created, then one action per service call) under callgrind twice: for
--orders orders and for none, so that the difference is the calls alone (Django's start and the work table's
build cancel out). PostgreSQL's own work is not counted (bench/per_action.py measures it). Needs valgrind
(Debian's package) and takes about a minute per 100 orders. The last line is JSON:
{"instructions_per_call": …, "calls": …}.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import lifecycle  # noqa: E402


def drive(count: int) -> None:
    """The measured process: start Django, load the caches, then drive `count` orders (as per_action does)."""
    lifecycle.setup_django()
    from yekuo.accounts.models import Branch, User
    from yekuo.regulations.selectors import regulation_effective
    from yekuo.workcal.selectors import work_table

    actor = User.objects.get(username="bench")
    branch = Branch.objects.select_related("company").get(code="b1")
    work_table(branch.company.code)
    regulation_effective(lifecycle.T0)
    lifecycle.live_through(lifecycle._lives(count, 0), actor, branch)


def counted(count: int) -> int:
    """Instructions of one `drive(count)` process under callgrind."""
    with tempfile.TemporaryDirectory() as scratch:
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={scratch}/out", sys.executable, __file__,
             "--drive", str(count)],
            capture_output=True, text=True, cwd=ROOT,
        )  # fmt: skip
    found = re.search(r"Collected : (\d+)", run.stderr)
    if run.returncode or not found:
        raise SystemExit(f"the counted run failed ({run.returncode}):\n{run.stderr[-3000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100)
    parser.add_argument("--drive", type=int, help=argparse.SUPPRESS)  # the measured child process
    args = parser.parse_args()
    if args.drive is not None:
        drive(args.drive)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    lifecycle.recreate_database()
    lifecycle.setup_django()
    lifecycle.prepare()
    from django.db import connections

    connections.close_all()
    calls = sum(1 + len(steps) for _, steps in lifecycle._lives(args.orders, 0))
    base, total = counted(0), counted(args.orders)
    print(json.dumps({"instructions_per_call": round((total - base) / calls), "calls": calls}))


if __name__ == "__main__":
    main()
