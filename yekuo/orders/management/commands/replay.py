"""`yekuo replay FILE.json [--at ISO]`: the clocks the live services derive, computed on a scratch database."""

import json
import os

from django.core.management.base import BaseCommand

from yekuo.common.cli import exit_on_error
from yekuo.orders.replay import SCRATCH_ENV, replay_in_scratch, run_replay


class Command(BaseCommand):
    help = "Replay an order's events on a scratch database and print its clocks as JSON (README: Replay)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--at",
            help="The instant to evaluate at: the events up to it apply (default: the last event's time)",
        )

    @exit_on_error
    def handle(self, *args, file, at, **options):
        if os.environ.get(SCRATCH_ENV):
            result = replay_in_scratch(file, at)
        else:
            result = run_replay(file, at)
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
