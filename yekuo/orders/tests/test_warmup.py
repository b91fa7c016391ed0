"""Server start-up loads the work tables and regulations (yekuo/orders/warmup.py, called by config/wsgi.py)."""

import os
import subprocess
import sys
from unittest import mock

import pytest
from django.db import DatabaseError

from yekuo.orders import warmup
from yekuo.regulations import selectors as regulations
from yekuo.regulations.models import Regulation
from yekuo.workcal import selectors as workcal


@pytest.fixture
def empty_caches(monkeypatch):
    monkeypatch.setattr(workcal, "_tables", {})
    monkeypatch.setattr(regulations, "_specs", {})


def test_warm_up_builds_every_companys_table_and_every_regulation(cast, empty_caches, django_assert_num_queries):
    assert warmup.warm_up() is True
    assert set(workcal._tables) == {"default", cast.company.code, cast.other_company.code}
    stored = set(Regulation.objects.values_list("code", "checksum"))
    assert stored and set(regulations._specs) == stored
    # What an action asks for next is served from the caches: no rebuild, no parse.
    code, checksum = next(iter(stored))
    revision = workcal.calendar_revision()
    with django_assert_num_queries(0):
        assert workcal.work_table(cast.company.code, revision=revision) is workcal._tables[cast.company.code][1]
        assert regulations.regulation_spec(code, checksum) is regulations._specs[(code, checksum)]


def test_a_database_not_ready_is_left_to_the_first_request(db, empty_caches, caplog):
    with mock.patch.object(workcal, "build_work_table", side_effect=DatabaseError('relation "x" does not exist')):
        assert warmup.warm_up() is False
    assert "warm-up skipped" in caplog.text
    assert workcal._tables == {}


@pytest.mark.parametrize(("setting", "loaded"), [("1", True), ("0", False)])
@pytest.mark.slow  # starts a subprocess
def test_the_wsgi_application_starts_warm_unless_told_not_to(tmp_path, setting, loaded):
    """A fresh interpreter, as gunicorn's master with --preload: config.wsgi has the views imported before
    any request (an empty database only skips the tables, with a warning)."""
    env = {**os.environ, "YEKUO_WARM_UP": setting, "YEKUO_DATA_DIR": str(tmp_path), "LOG_LEVEL": "ERROR"}
    env.pop("DATABASE_URL", None)
    probe = "import sys, config.wsgi; print('yekuo.web.views.orders' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == str(loaded)
