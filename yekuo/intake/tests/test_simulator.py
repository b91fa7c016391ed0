"""`yekuo simulate platform` as its own process against a live yekuo: it pushes new, repeated and faulty
applications, every outcome is the one expected, and it receives the callbacks yekuo sends it (R3)."""

import json
import os
import subprocess
import sys

import pytest

from bench.lifecycle import free_port
from yekuo.intake import credentials, services
from yekuo.intake.documents import documents_fetch_due
from yekuo.intake.models import Application, ApplicationDocument
from yekuo.intake.platforms import platform_ensure
from yekuo.orders.models import WorkOrder
from yekuo.outbox.models import Destination
from yekuo.outbox.services import deliver

pytestmark = pytest.mark.slow


@pytest.mark.django_db(transaction=True)
def test_the_simulator_pushes_and_receives_callbacks(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from yekuo.accounts.testing import make_cast
    from yekuo.common.testing import reload_reference_data

    reload_reference_data()
    cast = make_cast()
    platform = platform_ensure("approval_platform", cast.company)
    issued = credentials.key_issue(platform)
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    command = [sys.executable, "-m", "yekuo.cli", "simulate", "platform", "--url", live_server.url,
               "--key-id", issued.key.key_id, "--secret", issued.secret, "--count", "30", "--rate", "0",
               "--duplicates", "0.3", "--bad", "0.2", "--seed", "3", "--listen", f"127.0.0.1:{port}",
               "--callback-secret", "cb-secret", "--linger", "15", "--concurrency", "1",
               "--address", "东区幸福路8号", "--address", "西区长安街2号"]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    try:
        # One push at a time, and the test's own queries only once they are done: on SQLite the live server's
        # threads and this test share one connection to the in-memory database.
        while sum(line.startswith("push ") for line in lines) < 30:
            line = process.stdout.readline()
            assert line, process.stderr.read()
            lines.append(line)
        Destination.objects.create(code="approval_platform", name="审批平台", url=f"http://127.0.0.1:{port}/",
                                   secret="cb-secret")  # fmt: skip
        application = Application.objects.order_by("pk").first()
        services.application_dispatch(application, actor=cast.dispatcher)
        for delivery in application.order.outbox_messages.get().deliveries.all():
            deliver(delivery.pk)
        # The simulator serves the applications' documents: yekuo fetches and keeps them (on commit, else now).
        documents_fetch_due()
        kept = ApplicationDocument.objects.filter(application__in=Application.objects.all())
        assert kept.exists() and set(kept.values_list("state", flat=True)) == {"stored"}
        out, err = process.communicate(timeout=120)
        out = "".join(lines) + out
    finally:
        process.kill()
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["pushes"] == 30, err
    outcomes = summary["outcomes"]
    assert all(o.split(":")[0] in {"new", "duplicate"} or o.split(":")[1] in {"400", "401"} for o in outcomes), outcomes
    assert all(o.endswith(":replayed") for o in outcomes if o.startswith("duplicate")), outcomes
    new = sum(n for o, n in outcomes.items() if o.startswith("new:201"))
    assert WorkOrder.objects.count() == Application.objects.count() == new  # repeats made nothing
    assert summary["callbacks"] == {"application.accepted": 1}, out
