"""`yekuo whatif --regulation FILE --from DATE --to DATE [--branch CODE] [--at ISO] [--format table|json|xlsx]`:
the orders of a period replayed under a proposed time-limit table, nothing written (O17; docs/whatif.md)."""

import json
import sys

from django.core.management.base import BaseCommand
from django.utils import timezone

from yekuo.common.cli import exit_on_error
from yekuo.common.errors import InvalidInput
from yekuo.orders.replay import parse_time
from yekuo.regulations.loader import load_file
from yekuo.whatif.period import parse_period
from yekuo.whatif.replay import run_whatif
from yekuo.whatif.report import as_table, write_xlsx


class Command(BaseCommand):
    help = "Replay the orders of a period under a proposed regulation file and compare overdue counts (docs/whatif.md)."

    def add_arguments(self, parser):
        parser.add_argument("--regulation", required=True, help="the proposed table, a file in the regulation format")
        parser.add_argument("--from", dest="first", required=True, help="first day of application (Asia/Shanghai)")
        parser.add_argument("--to", dest="last", required=True, help="last day of application, included")
        parser.add_argument("--branch", help="only this branch's orders (its code)")
        parser.add_argument("--at", help="the instant open clocks are measured at (ISO 8601 with offset; default now)")
        parser.add_argument("--format", choices=("table", "json", "xlsx"), default="table")
        parser.add_argument("--output", help="write to this file (required for xlsx; default: standard output)")

    @exit_on_error
    def handle(self, *args, regulation, first, last, branch, at, format, output, **options):
        if format == "xlsx" and not output:
            raise InvalidInput("--format xlsx needs --output FILE", field="output")
        proposed, _checksum = load_file(regulation)
        period = parse_period(first, last, branch)
        when = parse_time(at, "--at") if at else timezone.now()

        def progress(done):
            sys.stderr.write(f"\rreplayed {done} orders")

        data = run_whatif(proposed, period, when, progress=progress if sys.stderr.isatty() else None).to_json()
        data["regulation"]["file"] = regulation
        if format == "xlsx":
            with open(output, "wb") as stream:
                write_xlsx(data, stream)
            self.stderr.write(f"wrote {output}")
            return
        text = as_table(data) if format == "table" else json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        if output:
            with open(output, "w", encoding="utf-8") as stream:
                stream.write(text)
        else:
            self.stdout.write(text, ending="")
