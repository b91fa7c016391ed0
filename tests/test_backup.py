"""`yekuo backup` and `yekuo restore` (O7): a restore into a fresh database that `yekuo orders verify`
finds consistent, with its uploaded files, on SQLite (online backup API) and PostgreSQL (pg_dump/pg_restore)."""

import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.db import connection

pytestmark = pytest.mark.slow  # runs yekuo's commands

ROOT = Path(__file__).resolve().parents[1]
# Orders with a history (created, worked, suspended with an evidence file) in the database being backed up.
MAKE_ORDERS = """
from django.core.files.uploadedfile import SimpleUploadedFile
from yekuo.accounts.testing import make_cast
from yekuo.orders import services
from yekuo.web.tests.helpers import complete, make_order
cast = make_cast()
for i in range(3):
    order = make_order(cast, when="2026-11-02 09:00")
    complete(order, cast.clerk, "acceptance", "2026-11-02 10:00")
scan = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 backup probe", content_type="application/pdf")
services.order_suspend(order, actor=cast.customer_manager, reason_code="documents_missing", evidence_file=scan)
print(order.suspensions.get().evidence_file.name)
"""
COUNT = (
    "from yekuo.orders.models import OrderEvent, WorkOrder; "
    "print(WorkOrder.objects.count(), OrderEvent.objects.count())"
)


def yekuo(env, *args, check=True):
    done = subprocess.run([sys.executable, "-m", "yekuo.cli", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=600)  # fmt: skip
    if check:
        assert done.returncode == 0, done.stderr
    return done


def last_line(done) -> str:
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request, tmp_path):
    """Two database URLs of one vendor: one to back up, one fresh to restore into."""
    if request.param == "sqlite":
        yield [f"sqlite:///{tmp_path / name}.sqlite3" for name in ("source", "restored")]
        return
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL: run the suite with DATABASE_URL=postgresql://…")
    import psycopg

    s = connection.settings_dict
    server = f"postgresql://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    names = [f"{s['NAME']}_{kind}_{uuid.uuid4().hex[:6]}" for kind in ("source", "restored")]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield [f"{server}/{name}" for name in names]
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_into_a_fresh_database_that_verifies(databases, tmp_path):
    source_url, restored_url = databases
    base = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL", "DEBUG")}
    source = {**base, "DATABASE_URL": source_url, "YEKUO_DATA_DIR": str(tmp_path / "source")}
    restored = {**base, "DATABASE_URL": restored_url, "YEKUO_DATA_DIR": str(tmp_path / "restored")}
    for step in (["migrate", "-v0"], ["calendar", "seed"], ["regulations", "load-bundled"]):
        yekuo(source, *step)
    evidence = last_line(yekuo(source, "shell", "-c", MAKE_ORDERS))
    counts = last_line(yekuo(source, "shell", "-c", COUNT))

    archive = tmp_path / "yekuo.tar.gz"
    vendor = "sqlite" if source_url.startswith("sqlite") else "postgresql"
    assert f"{vendor} database and 1 uploaded files" in yekuo(source, "backup", "--output", str(archive)).stdout
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names and f"media/{evidence}" in names
    assert {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}[vendor] in names

    yekuo(restored, "restore", str(archive))
    assert last_line(yekuo(restored, "shell", "-c", COUNT)) == counts
    verified = yekuo(restored, "orders", "verify")
    assert "3 consistent, 0 differ" in verified.stdout, verified.stdout
    assert (tmp_path / "restored" / "media" / evidence).read_bytes() == b"%PDF-1.4 backup probe"
    # A second restore would overwrite what is there now: only when asked.
    again = yekuo(restored, "restore", str(archive), check=False)
    assert again.returncode == 2 and "not empty" in again.stderr
    yekuo(restored, "restore", "--force", str(archive))
    assert "3 consistent, 0 differ" in yekuo(restored, "orders", "verify").stdout


def test_a_damaged_or_foreign_archive_is_refused(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL", "DEBUG")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", YEKUO_DATA_DIR=str(tmp_path))
    foreign = tmp_path / "foreign.tar.gz"
    with tarfile.open(foreign, "w:gz") as tar:
        (tmp_path / "notes.txt").write_text("not a backup")
        tar.add(tmp_path / "notes.txt", arcname="notes.txt")
    refused = yekuo(env, "restore", str(foreign), check=False)
    assert refused.returncode == 2 and "not a yekuo backup" in refused.stderr
