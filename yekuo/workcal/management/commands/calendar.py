"""`yekuo calendar …`: seed, load and show the working calendar; compute deadlines and elapsed time."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from yekuo.common.cli import exit_on_error, print_json
from yekuo.common.errors import InvalidInput
from yekuo.workcal import selectors, services


def parse_instant(text: str, name: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"--{name} {text!r} is not an ISO 8601 time like 2026-09-30T16:00+08:00", field=name
        ) from None
    if value.tzinfo is None:
        raise InvalidInput(f"--{name} {text} has no UTC offset; write it like 2026-09-30T16:00+08:00", field=name)
    return value


def parse_pause(text: str) -> tuple[datetime, datetime | None]:
    begin, slash, end = text.partition("/")
    if not slash:
        raise InvalidInput(
            f"--paused {text!r} must be START/END (END may be empty for a pause still open)", field="paused"
        )
    return parse_instant(begin, "paused"), (parse_instant(end, "paused") if end else None)


def parse_days(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InvalidInput(f"--days {text!r} is not a number of working days", field="days") from None


def _status(working: bool) -> str:
    return "working" if working else "off"


class Command(BaseCommand):
    help = "The working calendar: seed, load, show; deadline and elapsed working time."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "seed",
            help="Seed official years from chinesecalendar, cross-check with holidays, add provisional years",
        )
        load = sub.add_parser("load", help="Load one year's official State Council schedule file")
        load.add_argument("file")
        load.add_argument("--force", action="store_true", help="Replace a year that already has an official schedule")
        show = sub.add_parser("show", help="A year's holidays and make-up working days")
        show.add_argument("year", type=int)
        deadline = sub.add_parser("deadline", help="Deadline for a limit in working days")
        deadline.add_argument("--start", required=True)
        deadline.add_argument("--days", required=True)
        deadline.add_argument("--paused", action="append", default=[], metavar="START/END")
        deadline.add_argument("--company", default="default")
        elapsed = sub.add_parser("elapsed", help="Working time between two instants")
        elapsed.add_argument("--start", required=True)
        elapsed.add_argument("--end", required=True)
        elapsed.add_argument("--paused", action="append", default=[], metavar="START/END")
        elapsed.add_argument("--company", default="default")

    @exit_on_error
    def handle(self, *args, action, **options):
        getattr(self, f"do_{action}")(**options)

    def do_seed(self, **options):
        report = services.calendar_seed()
        years = report.official_years
        self.stdout.write(
            f"official years seeded: {f'{years[0]}–{years[-1]}' if years else 'none (already seeded)'}; "
            f"provisional years added: {', '.join(map(str, report.provisional_years)) or 'none'}"
        )
        if report.disagreements:
            self.stdout.write(f"cross-check with the holidays library: {len(report.disagreements)} disagreement(s)")
            for day, ours, theirs in report.disagreements:
                self.stdout.write(f"  {day}: chinesecalendar says {_status(ours)}, holidays says {_status(theirs)}")
        elif years:
            self.stdout.write("cross-check with the holidays library: no disagreement")

    def do_load(self, file, force, **options):
        result = services.calendar_load(file, force=force)
        print_json(
            self,
            {
                "year": result.year,
                "replaced": result.replaced,
                "holidays": result.holidays,
                "makeup_days": result.workdays,
            },
        )
        self.follow_recompute()

    def follow_recompute(self) -> None:
        """I7: the open clocks are recomputed by a background job; wait for it, its progress on stderr."""
        from yekuo.orders.models import CalendarRecompute
        from yekuo.orders.recompute import progress_line, wait_for_recompute
        from yekuo.workcal.models import CalendarRevision

        token = CalendarRevision.objects.filter(id=1).values_list("token", flat=True).first()
        job = CalendarRecompute.objects.filter(token=token).first()
        if job is None:  # no working day changed
            return

        def report(job):
            self.stderr.write(progress_line(job))

        try:
            wait_for_recompute(job, report)
        except RuntimeError as exc:
            raise CommandError(f"{exc}; run `yekuo orders recompute` to resume", returncode=1) from None

    def do_show(self, year, **options):
        print_json(self, selectors.year_summary(year))

    def do_deadline(self, start, days, paused, company, **options):
        start_at = parse_instant(start, "start")
        pauses = [parse_pause(p) for p in paused]
        result = selectors.work_table(company).deadline(start_at, parse_days(days), pauses)
        print_json(
            self,
            {"deadline": result.at.isoformat() if result.at else None, "provisional": result.provisional},
        )

    def do_elapsed(self, start, end, paused, company, **options):
        start_at, end_at = parse_instant(start, "start"), parse_instant(end, "end")
        pauses = [parse_pause(p) for p in paused]
        result = selectors.work_table(company).elapsed(start_at, end_at, pauses)
        minutes = result.working_seconds / 60
        print_json(
            self,
            {
                "working_minutes": int(minutes) if minutes == int(minutes) else round(minutes, 2),
                "working_days": round(result.working_days, 6),
                "provisional": result.provisional,
            },
        )
