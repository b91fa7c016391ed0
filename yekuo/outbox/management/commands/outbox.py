"""`yekuo outbox …`: list failed deliveries, retry them, run the sweep once, seed the demo destinations."""

from django.core.management.base import BaseCommand, CommandError

from yekuo.common.cli import exit_on_error, print_json
from yekuo.outbox import selectors, services
from yekuo.outbox.models import Delivery, DeliveryState
from yekuo.outbox.seed import seed_destinations


class Command(BaseCommand):
    help = "The outbox: failed deliveries, retry, deliver what is due, seed destinations."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        retry = sub.add_parser("retry", help="Retry deliveries by id, or every failed one (--failed)")
        retry.add_argument("ids", nargs="*", type=int)
        retry.add_argument("--failed", action="store_true", help="every failed delivery")
        sub.add_parser("failed", help="The failed deliveries, as JSON")
        sub.add_parser("deliver-due", help="Try every due delivery once, in this process (the worker's sweep)")
        seed = sub.add_parser("seed", help="Create the demo destinations (local simulators) that do not exist yet")
        seed.add_argument("--base-url", default=None, help="the simulators' base URL (default: settings)")

    @exit_on_error
    def handle(self, *args, action, **options):
        getattr(self, f"do_{action.replace('-', '_')}")(**options)

    def do_retry(self, ids, failed, **options):
        if not ids and not failed:
            raise CommandError("name delivery ids or --failed", returncode=2)
        count = services.retry(ids or None, failed=failed)
        print_json(self, {"retried": count})

    def do_failed(self, **options):
        rows = Delivery.objects.filter(state=DeliveryState.FAILED).select_related("message", "destination")
        print_json(self, [selectors.delivery_row(d) for d in rows])

    def do_deliver_due(self, **options):
        print_json(self, services.deliver_due())

    def do_seed(self, base_url, **options):
        print_json(self, {"created": seed_destinations(base_url)})
