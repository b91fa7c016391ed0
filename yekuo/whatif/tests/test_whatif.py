"""What-if of a regulation (O17): known orders under a stricter and a looser survey limit; nothing written."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from yekuo.orders.models import Clock, NodeInstance, OrderEvent, WorkOrder
from yekuo.regulations.loader import load_file
from yekuo.regulations.models import Regulation
from yekuo.whatif.period import parse_period
from yekuo.whatif.replay import run_whatif
from yekuo.whatif.tests.helpers import complete, create, proposed, two_orders
from yekuo.workcal.tests.conftest import at

pytestmark = pytest.mark.django_db
AT = "2026-11-03T12:00+08:00"


def whatif(path, branch=None, first="2026-11-01", last="2026-11-30", when="2026-11-03 12:00") -> dict:
    spec, _ = load_file(path)
    return run_whatif(spec, parse_period(first, last, branch), at(when)).to_json()


def survey_row(data) -> dict:
    return next(r for r in data["rows"] if r["node"] == "survey_plan")


def everything():
    """Every stored row of the orders' tables, to show a what-if writes nothing."""
    return [
        list(model.objects.order_by("pk").values())
        for model in (WorkOrder, NodeInstance, Clock, OrderEvent, Regulation)
    ]


def test_a_stricter_limit_makes_the_on_time_order_overdue(cast, tmp_path):
    on_time, _late = two_orders(cast)
    before = everything()
    data = whatif(proposed(tmp_path, "lv_business", "survey_plan", 0.5))  # 210 minutes
    row = survey_row(data)
    assert (row["branch"], row["category"], row["orders"]) == ("east", "lv_business", 2)
    assert (row["overdue_current"], row["overdue_proposed"]) == (1, 2)
    assert (row["on_time_rate_current"], row["on_time_rate_proposed"], row["change_pp"]) == (0.5, 0.0, -50.0)
    assert data["total"]["became_overdue"] == 1 and data["became_overdue"] == [on_time.number]
    assert data["total"]["became_on_time"] == 0
    # acceptance (0.5 day, done in an hour) is on time under both; approval has just started.
    acceptance = next(r for r in data["rows"] if r["node"] == "acceptance")
    assert (acceptance["overdue_current"], acceptance["overdue_proposed"]) == (0, 0)
    assert everything() == before  # nothing written, not even the proposed table


def test_a_looser_limit_makes_the_overdue_order_on_time(cast, tmp_path):
    _on_time, late = two_orders(cast)
    data = whatif(proposed(tmp_path, "lv_business", "survey_plan", 1.5))  # 630 minutes
    row = survey_row(data)
    assert (row["overdue_current"], row["overdue_proposed"]) == (1, 0)
    assert (row["on_time_rate_current"], row["on_time_rate_proposed"], row["change_pp"]) == (0.5, 1.0, 50.0)
    assert data["became_on_time"] == [late.number] and data["total"]["became_overdue"] == 0
    total = data["total"]
    assert (total["orders"], total["overdue_current"], total["overdue_proposed"]) == (2, 1, 0)


def test_an_order_not_yet_received_has_no_verdict(cast, tmp_path):
    two_orders(cast)
    create(cast, "2026-11-02 09:00", channel="online", receive=False)  # waits for dispatch: no clock runs
    total = whatif(proposed(tmp_path, "lv_business", "survey_plan", 1.5))["total"]
    assert (total["orders"], total["counted_current"], total["counted_proposed"]) == (3, 2, 2)
    assert (total["on_time_rate_current"], total["on_time_rate_proposed"]) == (0.5, 1.0)


def test_the_same_table_changes_nothing(cast, tmp_path):
    two_orders(cast)
    create(cast, "2026-11-02 09:00")  # acceptance still running at 12:00 on the 3rd: overdue (0.5 day)
    data = whatif(proposed(tmp_path, "lv_business", "survey_plan", 1))
    for row in [*data["rows"], *data["branches"], data["total"]]:
        assert row["overdue_current"] == row["overdue_proposed"] and row["change_pp"] == 0
    assert data["total"]["overdue_current"] == 2


def test_an_open_clock_is_measured_at_the_instant(cast, tmp_path):
    order = create(cast, "2026-11-02 09:00")
    complete(cast, order, "acceptance", "2026-11-02 10:00")  # survey runs from 10:00: 120 + 210 + 30 by 09:00 the 3rd
    path = proposed(tmp_path, "lv_business", "survey_plan", 0.5)
    early = survey_row(whatif(path, when="2026-11-03 09:00"))
    assert (early["overdue_current"], early["overdue_proposed"]) == (0, 1)  # 360 used of 420, of 210
    later = survey_row(whatif(path, when="2026-11-03 10:30"))
    assert (later["overdue_current"], later["overdue_proposed"]) == (1, 1)  # 450 used
    before = whatif(path, when="2026-11-02 09:30")  # the survey had not started: not counted
    assert [r["node"] for r in before["rows"]] == ["acceptance"]


def test_period_and_branch_filters(cast, tmp_path):
    two_orders(cast)
    west = create(cast, "2026-11-02 09:00", actor=cast.west_clerk, site_address="西区康和路1号")
    assert west.branch.code == "west"
    create(cast, "2026-10-30 09:00")  # applied before the period
    path = proposed(tmp_path, "lv_business", "survey_plan", 0.5)
    data = whatif(path)
    assert [b["branch"] for b in data["branches"]] == ["east", "west"] and data["total"]["orders"] == 3
    # All branches together, per category and node: the west order's acceptance runs (and is overdue by then).
    acceptance = next(r for r in data["node_totals"] if r["node"] == "acceptance")
    assert (acceptance["branch"], acceptance["orders"], acceptance["overdue_current"]) == ("*", 3, 1)
    east = whatif(path, branch="east")
    assert [b["branch"] for b in east["branches"]] == ["east"] and east["total"]["orders"] == 2
    assert whatif(path, first="2026-10-30", last="2026-10-30")["total"]["orders"] == 1


def test_an_order_the_proposed_table_cannot_fold_is_reported(cast, tmp_path):
    two_orders(cast)
    path = tmp_path / "no_business.toml"
    text = proposed(tmp_path, "lv_business", "survey_plan", 1).read_text(encoding="utf-8")
    # A table without the lv_business category (the interpretations naming it go too).
    start = text.index("[categories.lv_business]")
    end = text.index("[categories.hv10_single]")
    text = text[:start] + text[end:]
    text = "\n".join(line for line in text.splitlines() if "lv_business" not in line)
    path.write_text(text, encoding="utf-8")
    data = whatif(path)
    assert data["total"]["not_replayed"] == 2 and data["total"]["orders"] == 0
    assert "lv_business" in data["not_replayed"][0]["problem"]


def test_the_command_prints_json_table_and_xlsx(cast, tmp_path):
    on_time, _late = two_orders(cast)
    path = proposed(tmp_path, "lv_business", "survey_plan", 0.5)
    out = StringIO()
    call_command("whatif", "--regulation", str(path), "--from", "2026-11-01", "--to", "2026-11-30", "--at", AT,
                 "--format", "json", stdout=out)  # fmt: skip
    data = json.loads(out.getvalue())
    assert data["regulation"]["code"] == "ordos-proposed" and data["became_overdue"] == [on_time.number]
    out = StringIO()
    call_command("whatif", "--regulation", str(path), "--from", "2026-11-01", "--to", "2026-11-30", "--at", AT,
                 stdout=out)  # fmt: skip
    table = out.getvalue()
    assert "survey_plan" in table and "-50.00" in table and "orders that become overdue: 1" in table
    book = tmp_path / "w.xlsx"
    call_command("whatif", "--regulation", str(path), "--from", "2026-11-01", "--to", "2026-11-30", "--at", AT,
                 "--format", "xlsx", "--output", str(book), stderr=StringIO())  # fmt: skip
    rows = list(load_workbook(book)["节点 nodes"].iter_rows(values_only=True))
    survey = next(r for r in rows if r[2] == "survey_plan")
    assert survey[3:6] == (2, 2, 1) and survey[6] == 0.5 and survey[10] == -50


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-11-31", "--to", "2026-11-30"], "is not a date"),
        (["--from", "2026-11-30", "--to", "2026-11-01"], "is before"),
        (["--from", "2026-11-01", "--to", "2026-11-30", "--branch", "nowhere"], "no branch 'nowhere'"),
        (["--from", "2026-11-01", "--to", "2026-11-30", "--format", "xlsx"], "needs --output"),
    ],
)
def test_bad_arguments_say_what_is_wrong(cast, tmp_path, args, message):
    path = proposed(tmp_path, "lv_business", "survey_plan", 0.5)
    with pytest.raises(CommandError, match=message):
        call_command("whatif", "--regulation", str(path), *args)


def test_a_bad_regulation_file_names_the_field(cast, tmp_path):
    path = proposed(tmp_path, "lv_business", "survey_plan", 0.3)
    with pytest.raises(CommandError, match=r"survey_plan\.limit.*multiple of 0.5"):
        call_command("whatif", "--regulation", str(path), "--from", "2026-11-01", "--to", "2026-11-30")


def test_another_start_rule(cast, tmp_path):
    """A proposal that starts the grid works clock when the survey completes instead of the approval (and
    lets a clock start before its node's predecessors are done, D1 off): 840 working minutes earlier."""
    order = create(cast, "2026-11-02 09:00")
    complete(cast, order, "acceptance", "2026-11-02 10:00")
    complete(cast, order, "survey_plan", "2026-11-02 16:00", actor=cast.customer_manager)
    complete(cast, order, "approval", "2026-11-04 16:00", actor=cast.project_manager)
    text = proposed(tmp_path, "lv_business", "survey_plan", 1).read_text(encoding="utf-8")
    block = text.index("[categories.lv_business.clocks.grid_works]")
    old = '[{ event = "node.completed", node = "approval" }]'
    assert text.index(old, block) < text.index("\n[", block)
    text = text[:block] + text[block:].replace(old, '[{ event = "node.completed", node = "survey_plan" }]', 1)
    text = text.replace("hold_until_predecessors = true", "hold_until_predecessors = false", 1)
    path = tmp_path / "works_from_survey.toml"
    path.write_text(text, encoding="utf-8")
    # 3 days = 1260 minutes. By 12:00 on 6 November the clock from the approval (4 Nov 16:00) has used
    # 120 + 420 + 210 = 750; from the survey (2 Nov 16:00), 840 more: 1590.
    row = next(r for r in whatif(path, when="2026-11-06 12:00")["rows"] if r["node"] == "grid_works")
    assert (row["overdue_current"], row["overdue_proposed"]) == (0, 1)
