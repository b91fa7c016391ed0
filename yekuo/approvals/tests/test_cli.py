"""`yekuo approvals classify FILE.json` and the rule set commands; bad input is one line and exit 2."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from yekuo.approvals.tests.conftest import LOW_RISK

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("approvals", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def facts(write):
    def make(data=None, **changes) -> str:
        body = json.dumps({**LOW_RISK, "on": "2026-12-01", **changes} if data is None else data)
        return str(write(body, "facts.json"))

    return make


def test_classify_low_risk(facts):
    out = json.loads(run("classify", facts()))
    assert set(out) == {"low_risk", "reasons", "rule_set"}
    assert out["low_risk"] is True and out["rule_set"] == "ordos-2022-64-lowrisk"
    assert [r["passed"] for r in out["reasons"]] == [True] * 6
    assert out["reasons"][1] | {"reason": None, "reason_en": None, "clause": None} == {
        "criterion": "excavation",
        "name": "开挖（下穿、上跨）道路、破绿长度不超过500米",
        "name_en": "Road and green-belt excavation (incl. under-/over-crossing) at most 500 m",
        "fact": "excavation_m",
        "value": 500,
        "threshold": 500,
        "passed": True,
        "reason": None,
        "reason_en": None,
        "clause": None,
    }


def test_classify_not_low_risk(facts):
    out = json.loads(run("classify", facts(voltage_kv=35, excavation_m=501)))
    assert out["low_risk"] is False
    assert [r["criterion"] for r in out["reasons"] if not r["passed"]] == ["voltage", "excavation"]


def test_classify_route_under_the_rule_set_in_force_on_the_date(facts, with_places):
    run("load", str(with_places()))
    route = facts(route=["鄂尔多斯大街"])
    out = json.loads(run("classify", route))
    assert out["rule_set"] == "test-lowrisk-2026" and out["low_risk"] is False
    assert out["reasons"][-1]["places"][0]["name"] == "鄂尔多斯大街"
    # Before the new version took effect the bundled one, without places, decides.
    earlier = json.loads(run("classify", facts(route=["鄂尔多斯大街"], on="2025-12-31")))
    assert earlier["rule_set"] == "ordos-2022-64-lowrisk" and earlier["low_risk"] is True


def test_classify_without_a_date_uses_today(facts):
    data = dict(LOW_RISK)
    assert json.loads(run("classify", facts(data)))["rule_set"] == "ordos-2022-64-lowrisk"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"voltage_kv": None}, "invalid_input: voltage_kv: must be a number of kV, not null"),
        ({"excavation_m": -1}, "invalid_input: excavation_m: -1 m is not possible; it must be 0 or more"),
        ({"voltage_kv": 0}, "invalid_input: voltage_kv: 0 kV is not possible; it must be more than 0"),
        ({"excavation_m": "500"}, "invalid_input: excavation_m: must be a number of m, not the string '500'"),
        ({"obstacles": 0}, "invalid_input: obstacles: must be true or false, not 0"),
        ({"excavation": 500}, "invalid_input: excavation: unknown key; expected: voltage_kv"),
        ({"route": "鄂尔多斯大街"}, "invalid_input: route: must be a list of street or place names"),
        ({"route": [""]}, "invalid_input: route: must be a list of street or place names"),
        ({"on": "1.12.2026"}, "invalid_input: on: '1.12.2026' is not a date like 2026-12-01"),
        ({"on": "2022-07-16"}, "no_rule_set: no low-risk rule set is in force on 2022-07-16"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(facts, changes, message):
    with pytest.raises(CommandError) as info:
        run("classify", facts(**changes))
    assert info.value.returncode == 2
    assert str(info.value).startswith(message) and "\n" not in str(info.value)


def test_a_missing_fact(facts):
    data = {k: v for k, v in LOW_RISK.items() if k != "simple_technique"}
    with pytest.raises(CommandError) as info:
        run("classify", facts(data))
    assert info.value.returncode == 2
    assert str(info.value) == "invalid_input: simple_technique: missing fact (simple technical requirements)"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"voltage_kv": 10,', "file_format: {path}:line 1, column 19: not JSON: Expecting property name"),
        ("[1, 2]", "invalid_input: the facts must be a JSON object, not a list"),
        # a key given twice must not pass as its last value: 900 m would silently read as 100 m
        ('{"excavation_m": 900, "excavation_m": 100}', "invalid_input: excavation_m: given twice in the file"),
    ],
)
def test_bad_json(write, body, message):
    path = write(body, "bad.json")
    with pytest.raises(CommandError) as info:
        run("classify", str(path))
    assert info.value.returncode == 2 and str(info.value).startswith(message.format(path=path))


def test_missing_file():
    with pytest.raises(CommandError) as info:
        run("classify", "/nonexistent.json")
    assert info.value.returncode == 2
    assert str(info.value).startswith("file_format: /nonexistent.json:0: cannot read the file")


def test_load_bundled_list_show():
    # The session set-up has loaded the bundled rule set already.
    assert [r["status"] for r in json.loads(run("load-bundled"))] == ["unchanged"]
    assert [r["code"] for r in json.loads(run("list"))] == ["ordos-2022-64-lowrisk"]
    shown = json.loads(run("show", "ordos-2022-64-lowrisk"))
    assert shown["limits"]["hv10_single"] | {"clause": ""} == {"low_risk": 0, "not_low_risk": 3, "clause": ""}
    with pytest.raises(CommandError, match="not_found: no rule set 'nope' is loaded"):
        run("show", "nope")


def test_a_changed_published_version_is_refused_by_the_cli(bundled_text, write):
    with pytest.raises(CommandError) as info:
        run("load", str(write(bundled_text.replace("max = 10\n", "max = 20\n"))))
    assert info.value.returncode == 2 and str(info.value).startswith("conflict: rule set ordos-2022-64-lowrisk")


def test_the_worked_example_of_the_docs():
    """docs/approvals.md: 620 m of excavation is the one criterion that fails."""
    example = Path(__file__).parents[3] / "docs" / "examples" / "approvals-facts.json"
    out = json.loads(run("classify", str(example)))
    assert out["low_risk"] is False
    assert [(r["criterion"], r["value"]) for r in out["reasons"] if not r["passed"]] == [("excavation", 620)]
    assert out["reasons"][1]["reason"] == "开挖（下穿、上跨）道路、破绿长度不超过500米：不符合（620 m，超过 500 m）"


@pytest.mark.slow  # starts subprocesses
def test_the_console_command(tmp_path):
    """The installed `yekuo` on its own SQLite database: JSON on stdout; bad input one stderr line, exit 2."""
    root = Path(__file__).parents[3]
    console = Path(sys.executable).parent / "yekuo"
    yekuo = [str(console)] if console.exists() else [sys.executable, "-m", "yekuo.cli"]
    env = {**os.environ, "YEKUO_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)

    def call(*args):
        return subprocess.run([*yekuo, *args], env=env, capture_output=True, text=True, cwd=root)

    assert call("migrate", "--noinput", "-v0").returncode == 0
    assert call("approvals", "load-bundled").returncode == 0
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps({**LOW_RISK, "on": "2026-12-01"}), encoding="utf-8")
    done = call("approvals", "classify", str(facts))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["low_risk"] is True
    facts.write_text(json.dumps({**LOW_RISK, "excavation_m": -5}), encoding="utf-8")
    done = call("approvals", "classify", str(facts))
    assert (done.returncode, done.stdout) == (2, "")
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "invalid_input: excavation_m: -5 m is not possible" in lines[0]
