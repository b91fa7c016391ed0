"""The worker killed between commit and delivery, with real processes: a message is committed while its
queued task is lost (the queue is flushed, as when the worker that took it is killed); a freshly started
`yekuo run_huey` delivers it through its periodic sweep, and the receiver gets it exactly once."""

import os
import subprocess
import sys
import time

import pytest

from yekuo.outbox.testing import Receiver

pytestmark = pytest.mark.slow


def _yekuo(env, *args, **kwargs):
    return subprocess.run([sys.executable, "-m", "yekuo.cli", *args], env=env, check=True, capture_output=True,
                          text=True, timeout=120, **kwargs)  # fmt: skip


def test_restarted_worker_delivers_a_message_whose_task_was_lost(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "YEKUO_TASKS_IMMEDIATE")}
    env.update(YEKUO_DATA_DIR=str(tmp_path), YEKUO_WARM_UP="0", LOG_LEVEL="ERROR")
    _yekuo(env, "migrate", "--noinput", "-v0")
    with Receiver(secret="s") as receiver:
        script = (
            "from django.db import transaction\n"
            "from yekuo.outbox.models import Destination\n"
            "from yekuo.outbox.services import enqueue\n"
            f"Destination.objects.create(code='partner', url='{receiver.url}', secret='s')\n"
            "with transaction.atomic():\n"
            "    print(enqueue('partner', 'order.accepted', {'n': 1}, key='k').id)\n"
            "from huey.contrib.djhuey import HUEY\n"
            "assert HUEY.pending_count() == 1\n"
            "HUEY.flush()  # the task is lost with the worker that would have run it\n"
        )
        message_id = _yekuo(env, "shell", "-c", script).stdout.strip().splitlines()[-1]
        assert receiver.hits == []
        worker = subprocess.Popen([sys.executable, "-m", "yekuo.cli", "run_huey"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            deadline = time.monotonic() + 150  # the sweep runs at the start of each minute
            while not receiver.hits and time.monotonic() < deadline:
                time.sleep(0.5)
            time.sleep(2)  # anything sent twice would arrive now
        finally:
            worker.terminate()
            worker.wait(timeout=30)
        assert receiver.effects == 1 and len(receiver.hits) == 1 and message_id in receiver.seen
        assert receiver.bad_signatures == 0
    show = "from yekuo.outbox.models import Delivery; print(Delivery.objects.get().state)"
    state = _yekuo(env, "shell", "-c", show).stdout.split()[-1]
    assert state == "delivered"
