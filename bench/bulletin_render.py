"""Benchmark: rendering one bulletin revision of a big month (R12), without a database.

    .venv/bin/python bench/bulletin_render.py [--overdue 20000] [--findings 10000]

The snapshot is the tests' small month (yekuo/bulletin/tests/conftest.py) with its lists of problem orders
grown to --overdue overdue clocks and --findings normativity findings (a month of a million-order book holds
thousands of each), and compared with the small month as the revision before it. Timed once each, in CPU
seconds of this process (the host is shared: wall time says more about the neighbours than about yekuo) and
wall seconds: the changes between the revisions, the Excel workbook (every row), the HTML file and the PDF
(the first 200 rows of each list). Last line JSON: {"overdue": …, "findings": …, "changes": …,
"diff_cpu_s": …, "xlsx_cpu_s": …, "html_cpu_s": …, "pdf_cpu_s": …, "pdf_pages": …, "wall_s": {…}}.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--overdue", type=int, default=20000)
    parser.add_argument("--findings", type=int, default=10000)
    args = parser.parse_args()
    import django

    django.setup()
    from django.utils import timezone
    from pypdf import PdfReader

    from yekuo.bulletin import diff, render
    from yekuo.bulletin.models import ReportRun
    from yekuo.bulletin.tests.conftest import snapshot

    data = snapshot()
    data["company"] = {"code": "bench", "name": "基准测试供电公司"}
    data["overdue"] = [dict(data["overdue"][0], order=f"B{i:08d}") for i in range(args.overdue)]
    data["findings"] = [dict(data["findings"][0], order=f"B{i:08d}") for i in range(args.findings)]
    run = ReportRun(month="2026-10", revision=2, created_at=timezone.now(), data=data, checksum=diff.checksum(data))
    result: dict = {"overdue": args.overdue, "findings": args.findings, "wall_s": {}}

    def timed(name, work):
        wall, cpu = time.perf_counter(), time.process_time()
        value = work()
        result[f"{name}_cpu_s"] = round(time.process_time() - cpu, 2)
        result["wall_s"][name] = round(time.perf_counter() - wall, 2)
        return value

    run.changes = timed("diff", lambda: diff.changes(snapshot(), data))
    result["changes"] = len(run.changes)
    timed("xlsx", lambda: render.xlsx(run))
    timed("html", lambda: render.html(run))
    pdf = timed("pdf", lambda: render.pdf(run))
    result["pdf_pages"] = len(PdfReader(io.BytesIO(pdf)).pages)
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
