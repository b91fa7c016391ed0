"""`yekuo demo`: load the demo data into the current database and print what was made.

The demo is a list of steps, run in order in one transaction. Each step is a dotted path to a
function taking no argument and returning either a dict summary or an object with `summary()`; apps
add their part by appending to `STEPS` (e.g. the orders of every category in every state, O2).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

from yekuo.common.cli import exit_on_error

STEPS: list[tuple[str, str]] = [
    ("organisation and people", "yekuo.accounts.demo.create_demo_org"),
    ("partner destinations", "yekuo.outbox.seed.seed_demo"),
    ("work orders", "yekuo.orders.demo.create_demo_orders"),
    ("platforms", "yekuo.intake.demo.create_demo_platforms"),
    ("online platform", "yekuo.customers.demo.create_online_platform"),
    ("reserve library", "yekuo.reserve.demo.create_demo_reserve"),
]
# Steps that take a count from the command line: step path → option name (`--orders N`).
COUNTS = {"yekuo.orders.demo.create_demo_orders": "orders"}


class Command(BaseCommand):
    help = "Create (or refresh) the demo company, its people and, as apps add them, demo work orders."

    def add_arguments(self, parser):
        parser.add_argument("--logins", action="store_true", help="Also print every demo login")
        parser.add_argument(
            "--force", action="store_true", help="Load the demo even when YEKUO_ENV=production (not for real use)"
        )
        parser.add_argument(
            "--orders",
            type=int,
            default=48,
            metavar="N",
            help="How many demo work orders to make (default 48: every category in every state in each branch); "
            "0 loads the organisation and people only",
        )

    @exit_on_error
    def handle(self, *args, logins=False, force=False, **options):
        # The demo's people, a superuser among them, sign in with the password printed in docs/demo.md: on a
        # production server that is a published administrator password.
        if settings.PRODUCTION and not force:
            raise CommandError(
                "refusing to load the demo with YEKUO_ENV=production: its users, a superuser among them, have the "
                "public demo password (docs/demo.md); add --force to load it anyway"
            )
        if settings.PRODUCTION:
            self.stderr.write(
                "WARNING: loading the demo on a production server; its users have the public demo password. "
                "Remove them or change their passwords before real use."
            )
        if options["orders"] < 0:
            raise CommandError("--orders must be 0 or more")
        steps = [(title, path) for title, path in STEPS if options.get(COUNTS.get(path, ""), 1) != 0]
        with transaction.atomic():
            results = [
                (title, import_string(path)(**({"count": options[COUNTS[path]]} if path in COUNTS else {})))
                for title, path in steps
            ]
        for title, result in results:
            summary = result.summary() if hasattr(result, "summary") else result
            self.stdout.write(f"{title}:")
            for key, value in summary.items():
                self.stdout.write(f"  {key}: {value}")
            if logins and hasattr(result, "logins"):
                for username, full_name, roles, scope in result.logins():
                    self.stdout.write(f"  {username:28} {full_name:6} {roles:10} {scope}")
        self.stdout.write("logins: docs/demo.md")
