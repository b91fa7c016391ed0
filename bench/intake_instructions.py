"""Instructions per platform push, counted by valgrind's callgrind (the same on any host, loaded or not).

    .venv/bin/python bench/intake_instructions.py [--pushes 40]

Runs `--pushes` signed pushes of new applications through Django's test client in one process under callgrind,
again none, and again the same new ones followed by one repeat of each (a retried push: same body, new nonce),
on the database of bench/intake.py (BENCH_DATABASE_URL; prepared as it prepares it). The differences over the
count are the instructions of one new push and of one repeat in yekuo's process (PostgreSQL's work not
counted). Needs valgrind. The last line is JSON: {"instructions_per_push": …, "instructions_per_repeat": …}.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pushes(count: int, repeats: bool) -> None:
    """The measured process: `count` pushes after three to warm up; with `repeats`, then each of them again."""
    from bench.intake import prepare

    key_id, secret = prepare()
    from django.test import Client

    from yekuo.intake.testing import application, signed

    client, run = Client(), f"I{int(time.time() * 1000)}"
    bodies = [application(f"{run}-{k}", "鄂尔多斯市东胜区天骄路18号", rng=random.Random(k)) for k in range(count + 3)]
    for body in bodies + (bodies[3:] if repeats else []):
        path, raw, headers = signed(key_id, secret, "approval_platform", body)
        assert client.post(path, data=raw, content_type="application/json", headers=headers).status_code == 201


def counted(count: int, repeats: bool = False) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={scratch}/out", sys.executable, __file__,
             "--inner", str(count), *(["--repeats"] if repeats else [])],
            cwd=ROOT, capture_output=True, text=True, check=True,
        )  # fmt: skip
    return int(re.search(r"Collected : (\d+)", run.stderr).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pushes", type=int, default=40)
    parser.add_argument("--inner", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--repeats", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner is not None:
        pushes(args.inner, args.repeats)
        return
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    base, new, repeated = counted(0), counted(args.pushes), counted(args.pushes, repeats=True)
    print(
        json.dumps(
            {
                "instructions_per_push": round((new - base) / args.pushes),
                "instructions_per_repeat": round((repeated - new) / args.pushes),
                "pushes": args.pushes,
            }
        )
    )


if __name__ == "__main__":
    main()
