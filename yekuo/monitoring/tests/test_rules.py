"""Warning rules as data (R9): the bundled file, overrides per regulation, clock and category, the zero-day
rule, and the file's checks."""

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command

from yekuo.common.errors import FileFormatError
from yekuo.monitoring.models import ClockWarning
from yekuo.monitoring.rules import BUNDLED, parse, rule_book
from yekuo.monitoring.scan import due_levels
from yekuo.workcal.tests.conftest import at

from .conftest import create

DAY = 7 * 3600  # a working day of the default office hours


def test_bundled_defaults():
    book = parse(BUNDLED.read_text(encoding="utf-8"), "warnings.toml")
    assert list(book.levels) == ["pre", "overdue", "serious"]
    assert [level.alarm for level in book.levels.values()] == [False, True, True]
    rule = book.rule_for("ordos-2022-64", "lv_business", "survey_plan", zero_day=False)
    assert rule.name == "default"
    assert [r.threshold.target(DAY, DAY) for r in rule.levels] == [int(DAY * 0.75), DAY, 2 * DAY]
    assert [r.notify for r in rule.levels] == [
        ("responsible",),
        ("responsible", "branch_manager"),
        ("responsible", "branch_manager", "department", "service_center"),
    ]


def test_zero_day_rule():
    """I3: a 0-day clock's budget is the rest of the day; its serious level is a working day past the deadline,
    not "the budget again" (minutes for a clock started at 17:50)."""
    book = rule_book()
    rule = book.rule_for("ordos-2022-64", "lv_business", "approval", zero_day=True)
    assert rule.name == "zero_day"
    ten_minutes = 600
    assert [r.threshold.target(ten_minutes, DAY) for r in rule.levels] == [450, 600, 600 + DAY]
    assert rule.level("serious").notify == ("responsible", "branch_manager", "department", "service_center")


def test_zero_day_levels_through_the_engine(db):
    # Started Friday 9 Oct 17:50 with a limit of 0: the budget is the 10 minutes left; the next working day
    # is the make-up Saturday 10 Oct, so serious falls due at its 17:50 + 10 min = 18:00... of the Saturday.
    start, deadline = at("2026-10-09 17:50"), at("2026-10-09 18:00")
    row = (1, 1, "approval", start, 600, [], deadline, at("2026-10-09 17:57:30"), False, 0, ["approval"],
           "ordos-2022-64", "lv_business", None)  # fmt: skip
    found = {
        item["level"]: datetime.fromtimestamp(item["due_at"], UTC) for item in due_levels([row], at("2026-10-12 09:00"))
    }
    assert found == {"pre": at("2026-10-09 17:57:30"), "overdue": deadline, "serious": at("2026-10-10 18:00")}


RULES = """
format = 1
[levels.pre]
name = "预警"
rank = 1
[levels.overdue]
name = "超期"
rank = 2
alarm = true
[rules.default]
pre = { used = 0.75 }
overdue = { used = 1.0 }
notify = { overdue = ["responsible", "service_center"] }
[regulations."ordos-2022-64".clocks.acceptance]
pre = { used = 0.9, remaining_minutes = 30 }
[regulations."ordos-2022-64".categories.lv_resident.clocks.acceptance]
pre = { used = 0.95 }
"""


def test_overrides_by_regulation_clock_and_category():
    book = parse(RULES, "rules.toml")
    acceptance = book.rule_for("ordos-2022-64", "lv_business", "acceptance", False)
    assert acceptance.name == "ordos-2022-64.acceptance"
    # 90 % of 3.5 h is 3 h 9 min; 30 minutes left is 3 h: the first reached.
    assert acceptance.level("pre").threshold.target(12600, DAY) == 12600 - 1800
    resident = book.rule_for("ordos-2022-64", "lv_resident", "acceptance", False)
    assert resident.level("pre").threshold.target(12600, DAY) == int(12600 * 0.95)
    assert resident.level("overdue").notify == ("responsible", "service_center")
    assert book.rule_for("other", "lv_business", "acceptance", False).name == "default"


def test_a_later_pre_warning_from_the_rules_file(cast, settings, tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(RULES, encoding="utf-8")
    settings.YEKUO_MONITOR_RULES = str(path)
    settings.YEKUO_QUIET_HOURS = None
    from yekuo.monitoring.scan import scan

    # Acceptance, 3.5 h from 09:00: deadline 15:00; 30 working minutes left at 12:00 (the lunch break does not
    # count), later than the engine's 75 % (11:37:30).
    order = create(cast, "2026-11-02 09:00")
    assert scan(at("2026-11-02 11:59")).raised == 0
    assert scan(at("2026-11-02 12:00")).raised == 1
    assert ClockWarning.objects.get(order=order).due_at == at("2026-11-02 12:00")


def test_no_level_before_the_engines_warning(cast, settings, tmp_path):
    """A rule asking for 50 % is held to the clock's warn_at (75 %, which the lists show)."""
    path = tmp_path / "rules.toml"
    path.write_text(RULES.replace("pre = { used = 0.75 }", "pre = { used = 0.5 }").split("[regulations")[0])
    settings.YEKUO_MONITOR_RULES = str(path)
    from yekuo.monitoring.scan import scan

    order = create(cast, "2026-11-02 09:00")
    assert scan(at("2026-11-02 11:00")).raised == 0  # 50 % would be 10:45
    scan(at("2026-11-02 12:00"))
    assert ClockWarning.objects.get(order=order).due_at == at("2026-11-02 11:37:30")


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("format = 2\nlevels = {}\nrules = {}", "format"),
        (RULES.replace("rank = 2", "rank = 1"), "levels"),
        (RULES.replace("overdue = { used = 1.0 }", ""), "rules.default"),
        (RULES.replace("used = 0.9", "used = -1"), "regulations.ordos-2022-64.clocks.acceptance.pre.used"),
        (RULES.replace('"service_center"]', '"mayor"]'), "rules.default.notify.overdue"),
        (
            RULES.replace("pre = { used = 0.95 }", "pre = { soon = 1 }"),
            "categories.lv_resident.clocks.acceptance.pre.soon",
        ),
        ("format = 1\nlevels = [", "(top)"),
    ],
)
def test_a_bad_file_names_the_field(text, where):
    with pytest.raises(FileFormatError) as error:
        parse(text, "rules.toml")
    assert where in str(error.value)


def test_scan_command(cast):
    create(cast, "2026-11-02 09:00")
    out = StringIO()
    call_command("monitor", "scan", "--at", "2026-11-02T15:00:00+08:00", "--no-notify", stdout=out)
    assert "1 clock(s) past warning, 2 raised, 0 resolved, 0 notified" in out.getvalue()
    assert ClockWarning.objects.filter(notified_at__isnull=True).count() == 2


def test_scan_command_marks_a_backlog_sent(cast):
    create(cast, "2026-11-02 09:00")
    out = StringIO()
    call_command("monitor", "scan", "--at", "2026-11-03T09:00:00+08:00", "--mark-sent", stdout=out)
    assert "3 warning(s) recorded as sent without sending" in out.getvalue()
    assert not ClockWarning.objects.filter(notified_at__isnull=True).exists()
    from yekuo.monitoring.models import WarningNotice

    assert not WarningNotice.objects.exists()
