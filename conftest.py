"""Shared pytest set-up: the calendar, the bundled regulations and the bundled low-risk rule sets are loaded
once per test database."""

import subprocess

import pytest

from yekuo.accounts.testing import *  # noqa: F403  (the `cast` fixture: the fixed test cast)


@pytest.fixture(scope="session")
def django_db_setup(tasks_run_at_once, django_db_setup, django_db_blocker):
    from yekuo.approvals.services import rule_set_load_bundled
    from yekuo.regulations.services import regulation_load_bundled
    from yekuo.workcal.services import calendar_seed

    with django_db_blocker.unblock():
        calendar_seed()
        regulation_load_bundled()
        rule_set_load_bundled()


@pytest.fixture(scope="session", autouse=True)
def tasks_run_at_once():
    """Background tasks (Huey) run when queued, in the test's process and transaction."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True


@pytest.fixture
def table(db):
    """The cached work table of the default company, built from the seeded calendar."""
    from yekuo.workcal.selectors import work_table

    return work_table()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language (Chinese): a request answered in English (the API,
    or a page after the switch) leaves English active in the test's thread, and a later test that calls a
    service or a presenter directly would otherwise read its texts in English, depending on test order."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _processes_only_in_slow_tests(request, monkeypatch):
    """A test that starts a process (a server, a browser, a command) is marked `slow`, so that
    `pytest -m "not slow"` stays a quick run; this fails any other test that tries to."""
    if request.node.get_closest_marker("slow"):
        return

    def refuse(self, *args, **kwargs):
        raise AssertionError(f"{request.node.nodeid} starts a subprocess: mark it @pytest.mark.slow")

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)


@pytest.fixture(autouse=True)
def _fresh_failure_counts(settings):
    """Limits counted in Redis outlive a test's transaction: each test starts with none (common/throttle)."""
    if settings.REDIS_URL:
        import redis

        store = redis.Redis.from_url(settings.REDIS_URL)
        for key in store.scan_iter("yekuo:throttle:*"):
            store.delete(key)
