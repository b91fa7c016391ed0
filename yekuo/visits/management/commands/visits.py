"""`yekuo visits plan --month YYYY-MM [--sample N]`, `yekuo visits import FILE.xlsx [--user U]`,
`yekuo visits summary --month YYYY-MM` (REQUIREMENTS R11; docs/visits.md).

plan: chooses and assigns the month's return visits (idempotent) and takes in the customers' own ratings.
import: a call centre's results; one line per rejected row (line, field, message) and a summary; exit 0 when the
file was read (1 with --strict when a row was rejected), 2 when it could not be.
summary: the month's return-visit figures per branch as JSON (what the bulletin reads).
"""

import json

from django.core.management.base import BaseCommand, CommandError

from yekuo.accounts.models import User
from yekuo.common.cli import exit_on_error
from yekuo.common.errors import InvalidInput
from yekuo.visits.imports import import_visits
from yekuo.visits.selectors import month_summary
from yekuo.visits.services import plan_month


class Command(BaseCommand):
    help = "Return visits (回访): plan a month, import a call centre's results, print a month's summary."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        plan = sub.add_parser("plan", help="Choose and assign the month's return visits")
        plan.add_argument("--month", required=True, help="YYYY-MM (Asia/Shanghai)")
        plan.add_argument("--sample", type=int, help="visits per branch and category (default: every order)")
        plan.add_argument("--json", dest="as_json", action="store_true")
        imp = sub.add_parser("import", help="Record the visits of a call centre's spreadsheet (.xlsx)")
        imp.add_argument("file")
        imp.add_argument("--user", default="", help="who records them (needs visit.record; default: a superuser)")
        imp.add_argument("--json", dest="as_json", action="store_true")
        imp.add_argument("--strict", action="store_true", help="exit 1 when any row was rejected")
        summary = sub.add_parser("summary", help="The month's figures per branch as JSON")
        summary.add_argument("--month", required=True)

    @exit_on_error
    def handle(self, *args, action, **options):
        getattr(self, f"do_{action}")(**options)

    def do_plan(self, month, sample, as_json, **options):
        result = plan_month(month, sample=sample)
        if as_json:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
            return
        branches = ", ".join(f"{code} {n}" for code, n in sorted(result.by_branch.items())) or "—"
        self.stdout.write(
            f"{month}: {result.energized} energized, {result.planned} visits planned "
            f"({result.added} added, {result.removed} removed, {result.absorbed} customer ratings); {branches}"
        )

    def do_import(self, file, user, as_json, strict, **options):
        users = User.objects.filter(is_active=True)
        actor = users.filter(username=user).first() if user else users.filter(is_superuser=True).order_by("pk").first()
        if actor is None:
            raise InvalidInput(f"no active user {user!r}; pass one with visit.record as --user", field="user")
        try:
            with open(file, "rb") as handle:
                report = import_visits(handle, actor=actor)
        except OSError as exc:
            raise InvalidInput(f"{file}: cannot read the file: {exc.strerror}", field="file") from None
        counts = report.counts()
        if as_json:
            self.stdout.write(json.dumps({"file": file, **report.as_dict()}, ensure_ascii=False))
        else:
            for row in report.rows:
                if row.status == "rejected":
                    self.stdout.write(f"line {row.line}: rejected [{row.field}]: {row.message}")
            self.stdout.write(
                f"{file}: {len(report.rows)} rows: {counts['applied']} applied, {counts['unchanged']} unchanged, "
                f"{counts['rejected']} rejected"
            )
        if strict and counts["rejected"]:
            raise CommandError(f"{counts['rejected']} row(s) rejected", returncode=1)

    def do_summary(self, month, **options):
        self.stdout.write(json.dumps({"month": month, "rows": month_summary(month)}, ensure_ascii=False))
