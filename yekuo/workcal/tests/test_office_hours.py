"""Office hours per company and season, effective-dated (REQUIREMENTS I4)."""

from datetime import date

import pytest

from yekuo.common.errors import Conflict, InvalidInput
from yekuo.workcal.office_hours import parse_seasons
from yekuo.workcal.selectors import work_table
from yekuo.workcal.services import office_hours_create
from yekuo.workcal.tests.conftest import at

SUMMER_WINTER = [
    {"name": "夏季", "from": "05-01", "to": "09-30", "blocks": [["08:00", "12:00"], ["15:00", "18:00"]]},
    {"name": "冬季", "from": "10-01", "to": "04-30", "blocks": [["08:30", "12:00"], ["14:30", "18:00"]]},
]


def test_seasons_across_the_new_year_are_accepted():
    summer, winter = parse_seasons(SUMMER_WINTER)
    assert winter.contains(date(2027, 1, 15)) and not winter.contains(date(2027, 6, 1))
    assert summer.seconds == winter.seconds == 420 * 60


@pytest.mark.parametrize(
    ("seasons", "message"),
    [
        ([], "non-empty list"),
        ([{"name": "x", "from": "01-01", "to": "12-31"}], "missing blocks"),
        ([{"from": "01-01", "to": "06-30", "blocks": [["08:30", "12:00"]]}], "07-01 is in no season"),
        ([{"from": "01-01", "to": "12-31", "blocks": [["08:30", "12:00"]]}] * 2, "in several seasons"),
        ([{"from": "01-01", "to": "12-31", "blocks": [["8h30", "12:00"]]}], "seasons[0].blocks[0]"),
        ([{"from": "01-01", "to": "12-31", "blocks": [["12:00", "08:30"]]}], "is not after"),
        ([{"from": "01-01", "to": "12-31", "blocks": [["08:30", "12:00"], ["11:00", "18:00"]]}], "overlaps"),
        ([{"from": "13-01", "to": "12-31", "blocks": [["08:30", "12:00"]]}], "seasons[0].from"),
        (
            [
                {"from": "05-01", "to": "09-30", "blocks": [["08:00", "12:00"], ["15:00", "19:00"]]},
                {"from": "10-01", "to": "04-30", "blocks": [["08:30", "12:00"], ["14:30", "18:00"]]},
            ],
            "same working minutes",
        ),
    ],
)
def test_bad_seasons_are_refused_with_their_path(seasons, message):
    with pytest.raises(InvalidInput) as caught:
        parse_seasons(seasons)
    assert message in caught.value.message


@pytest.mark.django_db
def test_a_new_schedule_applies_from_its_date_and_never_changes_the_past():
    start = at("2027-06-01 08:00")  # a Tuesday in the provisional year
    before = work_table().deadline(start, 0.5)
    assert before.at == at("2027-06-01 12:00")  # counting starts 08:30; 210 minutes end at 12:00
    earlier = work_table().deadline(at("2026-06-02 08:00"), 0.5)
    office_hours_create(
        name="夏冬季作息", effective_from=date(2027, 1, 1), seasons=SUMMER_WINTER, today=date(2026, 11, 27)
    )
    after = work_table().deadline(start, 0.5)
    assert after.at == at("2027-06-01 11:30")  # summer hours: counting starts at 08:00
    assert work_table().deadline(at("2026-06-02 08:00"), 0.5) == earlier
    assert work_table().deadline(at("2027-06-01 11:00"), 0.5).at == at("2027-06-01 17:30")  # afternoon from 15:00


@pytest.mark.django_db
def test_a_schedule_may_not_start_today_or_earlier():
    with pytest.raises(InvalidInput, match="must be after today"):
        office_hours_create(
            name="x", effective_from=date(2026, 11, 27), seasons=SUMMER_WINTER, today=date(2026, 11, 27)
        )
    office_hours_create(name="x", effective_from=date(2027, 1, 1), seasons=SUMMER_WINTER, today=date(2026, 11, 27))
    with pytest.raises(Conflict):
        office_hours_create(name="y", effective_from=date(2027, 1, 1), seasons=SUMMER_WINTER, today=date(2026, 11, 27))


@pytest.mark.django_db
def test_companies_have_their_own_hours_and_fall_back_to_the_default():
    office_hours_create(
        company="ordos",
        name="鄂尔多斯夏冬季",
        effective_from=date(2027, 1, 1),
        seasons=SUMMER_WINTER,
        today=date(2026, 11, 27),
    )
    assert work_table("ordos").deadline(at("2027-06-01 08:00"), 0.5).at == at("2027-06-01 11:30")
    assert work_table("default").deadline(at("2027-06-01 08:00"), 0.5).at == at("2027-06-01 12:00")
    assert work_table("elsewhere").deadline(at("2027-06-01 08:00"), 0.5).at == at("2027-06-01 12:00")
