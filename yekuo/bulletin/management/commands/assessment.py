"""`yekuo assessment …`: the monthly performance assessment of the branches (R13): publish scoring schemes,
compute a month's scores, confirm them (the marketing service department), show them."""

from django.core.management.base import BaseCommand

from yekuo.accounts.models import User
from yekuo.bulletin import selectors, services
from yekuo.bulletin.cli import company_for
from yekuo.common.cli import exit_on_error, print_json
from yekuo.common.errors import InvalidInput


class Command(BaseCommand):
    help = "Monthly performance assessment (R13): load-bundled, load FILE, schemes, compute, confirm, show."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Validate and publish one scoring scheme file (TOML)")
        load.add_argument("file")
        sub.add_parser("load-bundled", help="Publish the scoring schemes shipped with yekuo (idempotent)")
        sub.add_parser("schemes", help="The published scoring schemes, as JSON")
        for name, text in (
            ("compute", "Score a month from its latest bulletin revision (refused once confirmed)"),
            ("confirm", "Confirm a month's scores: from then on they are frozen"),
            ("show", "A month's scores with their breakdown, as JSON"),
        ):
            action = sub.add_parser(name, help=text)
            action.add_argument("--month", required=True, help="YYYY-MM")
            action.add_argument("--company", help="Company code (default: the only one)")
            if name == "confirm":
                action.add_argument("--user", required=True, help="Username of who confirms (营销服务部)")

    @exit_on_error
    def handle(self, *args, action, **options):
        getattr(self, f"do_{action.replace('-', '_')}")(**options)

    def do_load(self, file, **options):
        print_json(self, services.scheme_load(file).as_dict())

    def do_load_bundled(self, **options):
        print_json(self, [r.as_dict() for r in services.scheme_load_bundled()])

    def do_schemes(self, **options):
        print_json(self, selectors.scheme_list())

    def do_compute(self, month, company=None, **options):
        assessment = services.assessment_compute(company_for(company), month)
        print_json(self, selectors.assessment_dict(assessment))

    def do_confirm(self, month, user, company=None, **options):
        who = User.objects.filter(username=user).first()
        if who is None:
            raise InvalidInput(f"no user {user!r}", field="user")
        print_json(self, selectors.assessment_dict(services.assessment_confirm(company_for(company), month, user=who)))

    def do_show(self, month, company=None, **options):
        print_json(self, selectors.assessment_dict(selectors.assessment_get(company_for(company), month)))
