"""`yekuo monitor <subcommand>`: the time-limit control room's commands (R9, R10).

Subcommands are registered in SUBCOMMANDS: each is a module path whose module defines
`add_arguments(parser)` and `run(command, **options)`. Add a line there for a new one.
"""

from importlib import import_module

from django.core.management.base import BaseCommand

from yekuo.common.cli import exit_on_error

# name -> (module, help). The module defines add_arguments(parser) and run(command, **options).
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "scan": ("yekuo.monitoring.scan", "Raise and resolve the warnings of the running clocks, then notify"),
    "snapshot": ("yekuo.monitoring.snapshot", "The in-transit picture as of an instant, from the event log"),
    "daily": ("yekuo.monitoring.daily", "Store a day's in-transit statistics (and back-fill earlier days)"),
    "risk": ("yekuo.monitoring.risk", "Recompute the breach risk of every running clock"),
    "count": ("yekuo.monitoring.counts", "Refresh the control dashboard's stored counts"),
}


class Command(BaseCommand):
    help = "Time-limit control: " + "; ".join(f"{name} ({text})" for name, (_m, text) in SUBCOMMANDS.items())

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        for name, (module, text) in SUBCOMMANDS.items():
            import_module(module).add_arguments(sub.add_parser(name, help=text))

    @exit_on_error
    def handle(self, *args, subcommand, **options):
        import_module(SUBCOMMANDS[subcommand][0]).run(self, **options)
