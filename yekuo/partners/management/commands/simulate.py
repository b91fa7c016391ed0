"""`yekuo simulate NAME …`: run a local simulator of a partner as its own process.

SIMULATORS maps each name to the module that runs it: a module with `add_arguments(parser)` and
`command(options)` (the platform simulator is a client that also receives callbacks); the service simulators
also have `serve(host, port, **options)`. One command for every app's simulators: add yours to the dict.
"""

import importlib

from django.core.management.base import BaseCommand

SIMULATORS = {
    "platform": "yekuo.intake.simulators.cli",
    "elicence": "yekuo.partners.simulators.elicence",
    "identity": "yekuo.partners.simulators.identity",
    "utilities": "yekuo.partners.simulators.utilities",
    "sms": "yekuo.customers.simulators.sms",
}


class Command(BaseCommand):
    help = "Run a local simulator of a partner (see SIMULATORS; `yekuo simulate elicence --help`)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="name", required=True)
        for name, path in SIMULATORS.items():
            module = importlib.import_module(path)
            module.add_arguments(sub.add_parser(name, help=(module.__doc__ or "").strip().splitlines()[0]))

    def handle(self, *args, name, **options):
        importlib.import_module(SIMULATORS[name]).command(options)
