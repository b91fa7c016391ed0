"""The worker's daily calendar task (I7): provisional years stay ahead of the present."""

from datetime import date
from unittest import mock

import pytest

from yekuo.workcal.models import CalendarYear
from yekuo.workcal.tasks import extend_provisional_calendar


@pytest.mark.django_db
def test_the_daily_task_keeps_provisional_years_ahead():
    assert extend_provisional_calendar.call_local() == []  # nothing to do: 2027 and 2028 are there
    with mock.patch("django.utils.timezone.localdate", return_value=date(2028, 12, 1)):
        created = extend_provisional_calendar.call_local()
    assert created == [2029]
    assert CalendarYear.objects.get(year=2029).provisional is True
