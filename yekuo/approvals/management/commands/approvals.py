"""`yekuo approvals …`: publish and list the R6 rule sets, and classify a works from its facts."""

import json

from django.core.management.base import BaseCommand

from yekuo.approvals import selectors, services
from yekuo.approvals.facts import read_facts
from yekuo.common import strict_json
from yekuo.common.cli import exit_on_error, print_json
from yekuo.common.errors import FileFormatError, InvalidInput
from yekuo.common.files import read_text


def read_json(path: str):
    """The parsed file; bad JSON names the line and column."""
    _, text = read_text(path)
    try:
        return strict_json.loads(text)
    except strict_json.DuplicateKey as exc:  # a fact given twice (a length corrected below the first)
        raise InvalidInput(f"{exc.key}: given twice in the file", field=exc.key) from None
    except json.JSONDecodeError as exc:
        raise FileFormatError(path, f"line {exc.lineno}, column {exc.colno}", f"not JSON: {exc.msg}") from None


class Command(BaseCommand):
    help = "Low-risk classification of supporting works (R6): rule sets and classify."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Validate and publish one rule set file (TOML)")
        load.add_argument("file")
        sub.add_parser("load-bundled", help="Publish every rule set shipped with yekuo (idempotent)")
        sub.add_parser("list", help="The published rule sets, as JSON")
        show = sub.add_parser("show", help="A rule set's normalised content, as JSON")
        show.add_argument("code")
        classify = sub.add_parser("classify", help="Classify a works from its facts (a JSON file)")
        classify.add_argument("file")

    @exit_on_error
    def handle(self, *args, action, **options):
        getattr(self, f"do_{action.replace('-', '_')}")(**options)

    def do_load(self, file, **options):
        print_json(self, services.rule_set_load(file).as_dict())

    def do_load_bundled(self, **options):
        print_json(self, [result.as_dict() for result in services.rule_set_load_bundled()])

    def do_list(self, **options):
        print_json(self, selectors.rule_set_list())

    def do_show(self, code, **options):
        print_json(self, selectors.rule_set_get(code).to_content())

    def do_classify(self, file, **options):
        facts, on = read_facts(read_json(file))
        print_json(self, selectors.works_classify(facts, on).as_dict())
