"""`yekuo orders verify`: replay every order's event log and report each whose stored state differs.
`yekuo orders recompute`: run or resume the calendar recompute jobs that have not finished (I7)."""

from django.core.management.base import BaseCommand, CommandError

from yekuo.common.cli import exit_on_error
from yekuo.orders.models import CalendarRecompute, WorkOrder
from yekuo.orders.recompute import progress_line, run_recompute, verify_orders


class Command(BaseCommand):
    help = "Work orders: verify (replay every log and compare with the stored state); recompute (resume jobs)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Replay every order's events and compare with its stored rows")
        verify.add_argument("--number", action="append", default=[], help="Only these order numbers")
        sub.add_parser("recompute", help="Run or resume the unfinished recomputes after calendar changes")

    @exit_on_error
    def handle(self, *args, action, **options):
        getattr(self, f"do_{action}")(**options)

    def do_recompute(self, **options):
        def report(job):
            self.stderr.write(progress_line(job))

        jobs = CalendarRecompute.objects.filter(finished_at__isnull=True).order_by("pk")
        for job in jobs:
            try:
                job = run_recompute(job.pk, progress=report)
            except Exception as exc:
                raise CommandError(f"the recompute of {job.years} stopped: {exc}", returncode=1) from None
            self.stdout.write(f"calendar {job.years}: {job.done} order(s) recomputed, {job.moved} moved")
        if not jobs:
            self.stdout.write("no recompute to run")

    def do_verify(self, number, **options):
        queryset = WorkOrder.objects.all()
        if number:
            queryset = queryset.filter(number__in=number)
        checked = bad = 0
        for order, differences in verify_orders(queryset):
            checked += 1
            if differences:
                bad += 1
                self.stdout.write(f"{order.number}: {len(differences)} difference(s)")
                for line in differences[:20]:
                    self.stdout.write(f"  {line}")
        self.stdout.write(f"verified {checked} order(s): {checked - bad} consistent, {bad} differ")
        if bad:
            raise CommandError(f"{bad} order(s) differ from their event log", returncode=1)
