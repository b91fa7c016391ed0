"""`yekuo regulations …`: publish, list, show and select the versioned time-limit tables (R14)."""

from datetime import date

from django.core.management.base import BaseCommand

from yekuo.common.cli import exit_on_error, print_json
from yekuo.common.errors import InvalidInput
from yekuo.regulations import render, selectors, services


def parse_date(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"--{name} {text!r} is not a date like 2022-07-17", field=name) from None


class Command(BaseCommand):
    help = "Versioned time-limit tables (Attachment 1): load, list, show, effective."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Validate and publish one regulation file (TOML)")
        load.add_argument("file")
        sub.add_parser("load-bundled", help="Publish every regulation shipped with yekuo (idempotent)")
        sub.add_parser("list", help="The published versions, as JSON")
        show = sub.add_parser("show", help="A version's tables as the notice prints them")
        show.add_argument("code")
        show.add_argument("--category", help="Only this category, e.g. hv10_dual")
        show.add_argument("--json", action="store_true", help="Machine-readable output")
        effective = sub.add_parser("effective", help="The version in force on a date, as JSON")
        effective.add_argument("--on", required=True, metavar="DATE")

    @exit_on_error
    def handle(self, *args, action, **options):
        getattr(self, f"do_{action.replace('-', '_')}")(**options)

    def do_load(self, file, **options):
        print_json(self, services.regulation_load(file).as_dict())

    def do_load_bundled(self, **options):
        print_json(self, [result.as_dict() for result in services.regulation_load_bundled()])

    def do_list(self, **options):
        print_json(self, selectors.regulation_list())

    def do_show(self, code, category, json, **options):
        spec = selectors.regulation_get(code)
        categories = [spec.category(category)] if category else list(spec.categories)
        if json:
            print_json(self, render.regulation_data(spec, categories))
        else:
            self.stdout.write(render.regulation_text(spec, categories))

    def do_effective(self, on, **options):
        spec = selectors.regulation_effective(parse_date(on, "on"))
        print_json(
            self,
            {"code": spec.code, "document": spec.document, "effective_from": spec.effective_from.isoformat()},
        )
