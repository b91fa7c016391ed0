"""`yekuo export events --format xes|ocel --from DATE --to DATE [--branch CODE] [--output FILE]`: the orders'
events for process-mining tools, with a working-time axis; no personal data (O18; docs/whatif.md)."""

import io

from django.core.management.base import BaseCommand

from yekuo.common.cli import exit_on_error
from yekuo.whatif.eventlog import FORMATS, write_ocel, write_xes
from yekuo.whatif.period import orders_of, parse_period


class Command(BaseCommand):
    help = "Export data for other tools: events (the orders' event log as XES or OCEL 2.0; docs/whatif.md)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        events = sub.add_parser("events", help="The event log of the orders applied for in a period")
        events.add_argument("--format", choices=FORMATS, required=True)
        events.add_argument("--from", dest="first", required=True, help="first day of application (Asia/Shanghai)")
        events.add_argument("--to", dest="last", required=True, help="last day of application, included")
        events.add_argument("--branch", help="only the orders of this branch (its code)")
        events.add_argument("--output", help="the file to write (default: standard output)")
        events.add_argument("--no-resources", action="store_true", help="leave out who recorded each event")

    @exit_on_error
    def handle(self, *args, what, format, first, last, branch, output, no_resources, **options):
        period = parse_period(first, last, branch)
        orders_of(period).exists()  # ask the database before a byte is written: a failure leaves no half file
        write = write_xes if format == "xes" else write_ocel
        if output:
            with open(output, "w", encoding="utf-8") as stream:
                count = write(period, stream, resources=not no_resources)
            self.stderr.write(f"wrote {count} orders to {output}")
        else:
            write(period, _Text(self.stdout), resources=not no_resources)


class _Text(io.TextIOBase):
    """The command's standard output as a text stream, written as it comes (no line endings added)."""

    def __init__(self, out):
        self.out = out

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.out.write(text, ending="")
        return len(text)
