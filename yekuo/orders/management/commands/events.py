"""`yekuo events import FILE.jsonl`: apply a file of the system of record's events (docs/api.md).

One event per line (the format of `POST /api/v1/events`); blank lines are skipped. Each line is applied in
its own transaction and a bad line never stops the rest. Prints one line per rejected event and a summary.

Exit status: 0 when the file was read (even if lines were rejected; add --strict to exit 1 then),
2 when it could not be read or the --user may not ingest events.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from yekuo.accounts.models import User
from yekuo.common import strict_json
from yekuo.common.cli import exit_on_error
from yekuo.common.errors import InvalidInput
from yekuo.orders.ingest import DEFAULT_SYSTEM, IngestResult, ingest_batch, summarize
from yekuo.orders.models import EventSource


def read_lines(path: str):
    """(line number, parsed object or a rejected IngestResult) for every non-blank line."""
    try:
        with open(path, encoding="utf-8-sig") as stream:
            lines = stream.read().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        problem = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise InvalidInput(f"{path}: cannot read the file: {problem}") from None
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            yield number, strict_json.loads(text)
        except strict_json.DuplicateKey as exc:
            yield number, IngestResult("rejected", index=0, code="invalid_input", message=str(exc), field=exc.key)
        except json.JSONDecodeError as exc:
            yield (
                number,
                IngestResult(
                    "rejected", index=0, code="invalid_input", message=f"not valid JSON: {exc.msg} (column {exc.colno})"
                ),
            )


class Command(BaseCommand):
    help = "Events of another system of record: import FILE.jsonl (one event per line; docs/api.md)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Apply every event of a JSON Lines file and print a summary")
        imp.add_argument("file")
        imp.add_argument("--user", default="integration", help="the integration account (needs event.ingest)")
        imp.add_argument("--source-system", default=DEFAULT_SYSTEM, help="for events that do not name theirs")
        imp.add_argument("--json", dest="as_json", action="store_true", help="print every result as JSON instead")
        imp.add_argument("--strict", action="store_true", help="exit 1 when any line was rejected")

    @exit_on_error
    def handle(self, *args, action, **options):
        getattr(self, f"do_{action}")(**options)

    def do_import(self, file, user, source_system, as_json, strict, **options):
        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise InvalidInput(f"no active user {user!r}; pass the integration account with --user", field="user")
        items = list(read_lines(file))
        results = ingest_batch(items, actor=actor, source=EventSource.IMPORT, default_system=source_system)
        summary = summarize(results)
        if as_json:
            out = {"file": file, "summary": summary, "results": [r.as_dict() for r in results]}
            self.stdout.write(json.dumps(out, ensure_ascii=False))
        else:
            for result in results:
                if result.status == "rejected":
                    where = f" [{result.field}]" if result.field else ""
                    self.stdout.write(f"line {result.line}: rejected {result.code}{where}: {result.message}")
            self.stdout.write(
                f"{file}: {summary['total']} lines: {summary['applied']} applied, "
                f"{summary['duplicate']} duplicate, {summary['rejected']} rejected"
            )
        if strict and summary["rejected"]:
            raise CommandError(f"{summary['rejected']} line(s) rejected", returncode=1)
