"""Server start-up loads the work tables and regulations (yekuo/orders/warmup.py, called by config/wsgi.py)."""

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
