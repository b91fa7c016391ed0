"""Run by test_recompute_worker.py in a process of its own, on a fresh SQLite file in the directory given:
make a few open orders, start Huey's real consumer (`yekuo run_huey`, the worker `yekuo serve` starts), load
a corrected calendar and wait for the consumer to run the recompute job. Prints one JSON line."""

import json
import os
import subprocess
import sys
from pathlib import Path


def main(data_dir: str, orders: int) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings", YEKUO_DATA_DIR=data_dir, YEKUO_TASKS_IMMEDIATE="false",
        DATABASE_URL=f"sqlite:///{data_dir}/yekuo.sqlite3",
    )  # fmt: skip
    os.environ.pop("REDIS_URL", None)  # the queue: SqliteHuey beside the database
    import django

    django.setup()
    from django.core.management import call_command

    from yekuo.accounts.testing import make_cast
    from yekuo.orders import recompute
    from yekuo.orders.models import CalendarRecompute
    from yekuo.orders.tests.test_recompute import _corrected_2026, _state, make_order
    from yekuo.regulations.services import regulation_load_bundled
    from yekuo.workcal.models import CalendarRevision
    from yekuo.workcal.services import calendar_load, calendar_seed

    call_command("migrate", verbosity=0)
    calendar_seed()
    regulation_load_bundled()
    for seeded in CalendarRecompute.objects.all():  # the seed's own job, with no orders yet: done here
        recompute.run_recompute(seeded.pk)
    cast = make_cast()
    made = [make_order(cast) for _ in range(orders)]
    before = [_state(order)[0] for order in made]

    def not_here(*args, **kwargs):
        raise AssertionError("the job was left to the waiting process: the consumer did not run it")

    recompute.run_recompute = not_here  # this process only waits; the consumer's process runs the job
    worker = subprocess.Popen(
        [sys.executable, "-m", "yekuo.cli", "run_huey"], env=os.environ, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        calendar_load(_corrected_2026(Path(data_dir)), force=True)  # its commit queues the job
        token = CalendarRevision.objects.get(id=1).token
        job = CalendarRecompute.objects.get(token=token)
        reports = []
        job = recompute.wait_for_recompute(job, lambda j: reports.append([j.done, j.total]), start_within=300, poll=0.1)
    finally:
        worker.terminate()
        # Only the job's own lines: the periodic tasks' lines would push them out of a tail.
        log = "\n".join(line for line in worker.communicate(timeout=60)[0].splitlines() if "recompute" in line)
    print(json.dumps({
        "reports": reports, "done": job.done, "total": job.total, "moved": job.moved, "error": job.error,
        "finished": job.finished_at is not None,
        "before": [str(d) for d in before], "after": [str(_state(order)[0]) for order in made],
        "events": [list(o.events.filter(type="calendar.recomputed").values_list("payload", flat=True)) for o in made],
        "token": token, "differing": sum(1 for _, d in recompute.verify_orders() if d), "worker_log": log[-3000:],
    }))  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
