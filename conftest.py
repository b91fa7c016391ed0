"""Shared pytest set-up: the working calendar is seeded once per test database."""

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from yekuo.workcal.services import calendar_seed

    with django_db_blocker.unblock():
        calendar_seed()
