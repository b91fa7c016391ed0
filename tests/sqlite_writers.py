"""Several processes working orders in one SQLite file at once, as `yekuo serve`'s web workers do on the
embedded default. Run by tests/test_sqlite_writers.py:

    python tests/sqlite_writers.py DB_FILE PROCESSES ORDERS_EACH

Prints one JSON line: the actions done and refused by each process, the orders energized, and the orders
whose stored state differs from their replayed log.
"""

import json
import multiprocessing
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup(db_file: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_file}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


def work(db_file: str, worker: int, count: int) -> dict:
    """Drive `count` orders through their whole life, one action per call; errors are counted, not raised."""
    setup(db_file)
    from bench import lifecycle
    from yekuo.accounts.models import Branch, User
    from yekuo.orders import services
    from yekuo.orders.models import EventSource

    actor = User.objects.get(username="bench")
    branch = Branch.objects.select_related("company").get(code="b1")
    done, refused = 0, []
    for attributes, steps in lifecycle._lives(count, worker * 1000):
        try:
            order = services.order_create(actor=actor, branch=branch, source=EventSource.IMPORT, **attributes)
            done += 1
            for kind, payload, at in steps:
                services.apply_event(
                    order, kind, actor=actor, payload=payload, occurred_at=at, source=EventSource.IMPORT
                )
                done += 1
        except Exception as exc:
            refused.append(repr(exc)[:200])
    return {"done": done, "refused": refused}


def main() -> None:
    db_file, processes, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    setup(db_file)
    from bench import lifecycle

    lifecycle.prepare()
    from django.db import connections

    connections.close_all()
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        results = pool.starmap(work, [(db_file, w, count) for w in range(processes)])
    from yekuo.orders.models import WorkOrder
    from yekuo.orders.recompute import verify_orders

    differing = sum(1 for _, differences in verify_orders() if differences)
    energized = WorkOrder.objects.filter(status="energized").count()
    print(json.dumps({"workers": results, "energized": energized, "differing": differing}))


if __name__ == "__main__":
    main()
