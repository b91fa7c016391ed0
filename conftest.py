"""Shared pytest set-up: the working calendar is seeded once per test database."""

import pytest

from yekuo.accounts.testing import *  # noqa: F403  (the `cast` fixture: the fixed test cast)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from yekuo.workcal.services import calendar_seed

    with django_db_blocker.unblock():
        calendar_seed()


@pytest.fixture
def table(db):
    """The cached work table of the default company, built from the seeded calendar."""
    from yekuo.workcal.selectors import work_table

    return work_table()
