"""`yekuo report monthly --month YYYY-MM --format json [--output FILE] [--branch CODE]`: the month's indicators
(R12, docs/indicators.md). `--format xlsx,pdf --output 2026-10` writes 2026-10.xlsx and 2026-10.pdf.

A format is one entry of FORMATS: a function from the indicators (and the options) to bytes, and whether
its output is text that may go to stdout. A new format (a spreadsheet, a PDF, a page) registers itself
with `register_format`, and the command, its `--format` choices and `--output` serve it without change.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.core.management.base import BaseCommand

from yekuo.common.cli import exit_on_error
from yekuo.common.errors import InvalidInput
from yekuo.reports.indicators import monthly


@dataclass(frozen=True)
class Format:
    render: Callable[[dict, dict], bytes]  # (indicators, the command's options) → the file's bytes
    text: bool  # may be printed on stdout when there is no --output


def _json(indicators: dict, options: dict) -> bytes:
    return json.dumps(indicators, ensure_ascii=False, indent=2).encode() + b"\n"


FORMATS: dict[str, Format] = {"json": Format(_json, text=True)}


def register_format(name: str, render: Callable[[dict, dict], bytes], *, text: bool = False) -> None:
    FORMATS[name] = Format(render, text)


class Command(BaseCommand):
    help = "Monthly reports: `report monthly --month YYYY-MM --format json [--output FILE]` (docs/indicators.md)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="report", required=True)
        month = sub.add_parser("monthly", help="The month's indicators per branch and category (R12)")
        month.add_argument("--month", required=True, help="YYYY-MM, cut in Asia/Shanghai")
        # Not `choices=`: formats registered after the parser is built are accepted too.
        month.add_argument("--format", default="json", help="json (default); others as registered; several: a,b")
        month.add_argument("--output", help="Write to FILE instead of stdout")
        month.add_argument("--branch", help="One branch's code (default: every branch)")
        month.add_argument("--company", help="One company's code (default: every company)")

    @exit_on_error
    def handle(self, *args, report, **options):
        # Several formats at once (`--format xlsx,pdf --output 2026-10`): the indicators are computed once and
        # each format's file is FILE with the format's suffix; a format may keep what it made in `options` for
        # the next (the bulletin freezes one revision for all its files).
        names = [name.strip() for name in options["format"].split(",") if name.strip()]
        unknown = [name for name in names if name not in FORMATS]
        if unknown or not names:
            raise InvalidInput(
                f"unknown format {','.join(unknown)!r}; known: {', '.join(sorted(FORMATS))}", field="format"
            )
        if not options.get("output") and (len(names) > 1 or not FORMATS[names[0]].text):
            raise InvalidInput(f"--format {options['format']} needs --output FILE", field="output")
        indicators = monthly(options["month"], options.get("branch"), company=options.get("company"))
        for name in names:
            body = FORMATS[name].render(indicators, options)
            if options.get("output"):
                output = Path(options["output"])
                if len(names) > 1:
                    output = output.with_name(f"{output.name.removesuffix(output.suffix)}.{name}")
                output.write_bytes(body)
                self.stderr.write(f"{output}: {len(body):,} bytes")
            else:
                self.stdout.write(body.decode(), ending="")
