"""Seeding, official-schedule files and provisional years (REQUIREMENTS I7)."""

from datetime import date
from pathlib import Path

import pytest

from yekuo.common.errors import Conflict, FileFormatError
from yekuo.workcal import services
from yekuo.workcal.models import CalendarDay, CalendarYear, DayKind
from yekuo.workcal.schedule_file import parse_schedule
from yekuo.workcal.selectors import work_table, year_summary
from yekuo.workcal.signals import calendar_changed
from yekuo.workcal.tests.conftest import at

BUNDLED_2026 = Path(services.__file__).parent / "data" / "2026.txt"

SCHEDULE_2027 = """\
# a made-up 2027 arrangement, for the tests only
year 2027
document 测试用2027年节假日安排
holiday 2027-01-01..2027-01-03 元旦
holiday 2027-02-05..2027-02-11 春节
workday 2027-02-20 春节调休上班
holiday 2027-10-01..2027-10-07 国庆节
workday 2027-10-09 国庆节调休上班
"""


def write(tmp_path, text, name="schedule.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_seed_covers_2004_to_2026_officially_and_later_years_provisionally():
    years = dict(CalendarYear.objects.values_list("year", "provisional"))
    assert all(years[y] is False for y in range(2004, 2027))
    assert years[2027] is True and years[2028] is True
    assert CalendarDay.objects.get(date=date(2026, 10, 10)).kind == DayKind.MAKEUP
    national = CalendarDay.objects.get(date=date(2026, 10, 5))
    assert (national.working, national.kind, national.holiday_name) == (False, DayKind.HOLIDAY, "国庆节")
    assert CalendarDay.objects.get(date=date(2027, 10, 9)).working is False  # no make-up days (I7)


@pytest.mark.django_db
def test_seed_is_idempotent_and_reports_the_cross_check():
    report = services.calendar_seed()
    assert report.official_years == [] and report.provisional_years == []
    disagreements = services.cross_check(date(2004, 1, 1), date(2026, 12, 31))
    # The one day the two libraries disagree on: chinesecalendar keeps 2005-12-31 off.
    assert [d[0] for d in disagreements] == [date(2005, 12, 31)]


@pytest.mark.django_db
def test_bundled_2026_file_says_what_chinesecalendar_says():
    before = dict(CalendarDay.objects.filter(date__year=2026).values_list("date", "working"))
    result = services.calendar_load(BUNDLED_2026, force=True)
    assert (result.replaced, result.holidays, result.workdays) == ("official", 33, 6)
    after = dict(CalendarDay.objects.filter(date__year=2026).values_list("date", "working"))
    assert after == before
    assert [p["name"] for p in year_summary(2026)["holidays"]] == [
        "元旦",
        "春节",
        "清明节",
        "劳动节",
        "端午节",
        "中秋节",
        "国庆节",
    ]


@pytest.mark.django_db
def test_loading_an_official_year_replaces_the_provisional_one_and_recomputes(
    tmp_path, django_capture_on_commit_callbacks
):
    received = []

    def receiver(sender, years, **kwargs):
        received.append(years)

    calendar_changed.connect(receiver)
    try:
        before = work_table().deadline(at("2027-02-19 09:00"), 1)
        assert before.provisional and before.at == at("2027-02-22 09:00")
        with django_capture_on_commit_callbacks(execute=True):
            result = services.calendar_load(write(tmp_path, SCHEDULE_2027))
    finally:
        calendar_changed.disconnect(receiver)
    assert result.replaced == "provisional"
    assert received and 2027 in received[0]
    info = CalendarYear.objects.get(year=2027)
    assert (info.provisional, info.document) == (False, "测试用2027年节假日安排")
    assert CalendarDay.objects.get(date=date(2027, 2, 20)).kind == DayKind.MAKEUP
    after = work_table().deadline(at("2027-02-19 09:00"), 1)
    assert after.at == at("2027-02-20 09:00") and after.provisional is False  # the make-up Saturday
    # The window of provisional years moves on with the official ones.
    assert CalendarYear.objects.filter(year=2029, provisional=True).exists()


@pytest.mark.django_db
def test_official_year_is_not_replaced_without_force(tmp_path):
    services.calendar_load(write(tmp_path, SCHEDULE_2027))
    assert services.calendar_load(write(tmp_path, SCHEDULE_2027)).replaced == "unchanged"
    changed = SCHEDULE_2027.replace("workday 2027-10-09", "workday 2027-10-10")
    with pytest.raises(Conflict, match="--force"):
        services.calendar_load(write(tmp_path, changed, "changed.txt"))
    assert services.calendar_load(write(tmp_path, changed, "changed.txt"), force=True).replaced == "official"
    assert CalendarDay.objects.get(date=date(2027, 10, 10)).working is True


@pytest.mark.parametrize(
    ("text", "where", "problem"),
    [
        ("document x\nholiday 2027-01-01 元旦\n", "0", "field 'year': missing"),
        ("year 20x7\ndocument x\nholiday 2027-01-01 元旦\n", "1", "field 'year'"),
        ("year 2027\nholiday 2027-01-01 元旦\n", "0", "field 'document': missing"),
        ("year 2027\ndocument x\nholday 2027-01-01 元旦\n", "3", "field 'keyword'"),
        ("year 2027\ndocument x\nholiday 2027-02-30 春节\n", "3", "field 'date': '2027-02-30' is not a date"),
        ("year 2027\ndocument x\nholiday 2027-02-10..2027-02-05 春节\n", "3", "ends before it starts"),
        ("year 2027\ndocument x\nholiday 2027-01-01..2027-03-01 春节\n", "3", "longer than 15 days"),
        ("year 2027\ndocument x\nholiday 2027-01-01\n", "3", "field 'name': missing"),
        ("year 2027\ndocument x\nholiday 2027-01-01 元旦\nworkday 2027-01-04 调休\n", "4", "is a Monday"),
        (
            "year 2027\ndocument x\nholiday 2027-01-01 元旦\nworkday 2027-01-01 调休\n",
            "4",
            "already given on line 3",
        ),
        ("year 2027\ndocument x\nholiday 2028-01-01 元旦\n", "3", "outside 2027"),
        ("year 2027\ndocument x\nworkday 2027-02-20 调休\n", "0", "lists no holiday"),
        ("year 2027\nyear 2028\n", "2", "given twice"),
    ],
)
def test_malformed_files_name_line_and_field(tmp_path, text, where, problem):
    path = write(tmp_path, text)
    with pytest.raises(FileFormatError) as caught:
        parse_schedule(path)
    assert caught.value.where == where
    assert problem in caught.value.problem
    assert str(caught.value).startswith(f"{path}:{where}: ")


def test_unreadable_and_non_utf8_files(tmp_path):
    with pytest.raises(FileFormatError, match="cannot read"):
        parse_schedule(tmp_path / "missing.txt")
    bad = tmp_path / "gbk.txt"
    bad.write_bytes("year 2027\ndocument 春节\n".encode("gbk"))
    with pytest.raises(FileFormatError, match="not UTF-8"):
        parse_schedule(bad)


def test_december_of_the_year_before_is_allowed(tmp_path):
    schedule = parse_schedule(
        write(tmp_path, "year 2019\ndocument x\nholiday 2019-01-01 元旦\nworkday 2018-12-29 元旦调休\n")
    )
    assert schedule.workdays == {date(2018, 12, 29): "元旦调休"}


@pytest.mark.django_db
def test_a_bad_file_loads_nothing(tmp_path):
    before = list(CalendarDay.objects.filter(date__year=2027).values_list("date", "working", "kind"))
    with pytest.raises(FileFormatError):
        services.calendar_load(write(tmp_path, SCHEDULE_2027 + "workday 2027-12-01 调休\n"))
    assert list(CalendarDay.objects.filter(date__year=2027).values_list("date", "working", "kind")) == before
    assert CalendarYear.objects.get(year=2027).provisional is True
