"""Benchmark: the Excel export's rows per second (P4), the workbook written as a background export job writes it.

    .venv/bin/python bench/export_rows.py [--db var/bench-list-100k.sqlite3] [--user branch_manager] [--runs 3]
    .venv/bin/python bench/export_rows.py --database-url postgresql://postgres@127.0.0.1:5432/yekuo_perf

Uses a book made by bench/list_data.py (`bench/list_queries.py --orders 100000` makes one). The user's whole
scope is exported to a temporary file through `yekuo.web.export.write_workbook`: `branch_manager` is one
branch (an eighth of the book), `department_manager` the whole company. The last line is JSON: rows, the
median wall and CPU seconds of this process (SQLite works inside it) and rows per second of each.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import list_data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=str(list_data.ROOT / "var" / "bench-list-100k.sqlite3"))
    parser.add_argument("--database-url", default="")
    parser.add_argument("--user", default="branch_manager")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    list_data.setup_django(list_data.ROOT, list_data.database_url(args))
    from django.db import connection

    from yekuo.accounts.models import User
    from yekuo.common.memo import remembering
    from yekuo.exports.services import scoped_orders
    from yekuo.web.export import write_workbook

    user = User.objects.get(username=args.user)
    walls, cpus, rows = [], [], 0
    for _ in range(args.runs):
        with tempfile.TemporaryFile() as handle, remembering():
            wall, cpu = time.perf_counter(), time.process_time()
            rows = write_workbook(scoped_orders(user, ""), handle)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    print(json.dumps({
        "user": args.user, "rows": rows, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
        "rows_per_s_wall": round(rows / wall), "rows_per_s_cpu": round(rows / cpu), "vendor": connection.vendor,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
