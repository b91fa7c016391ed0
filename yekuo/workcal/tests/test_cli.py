"""`yekuo calendar …` as a user runs it: JSON on stdout; bad input → one stderr line and exit code 2."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

YEKUO = [sys.executable, "-m", "yekuo.cli"]


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory):
    """A scratch SQLite database, migrated and seeded, for the command-line runs."""
    data = tmp_path_factory.mktemp("cli")
    env = {**os.environ, "YEKUO_DATA_DIR": str(data), "DATABASE_URL": f"sqlite:///{data / 'cli.sqlite3'}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    for args in (["migrate", "-v0"], ["calendar", "seed"]):
        subprocess.run([*YEKUO, *args], env=env, check=True, capture_output=True, cwd=Path(__file__).parents[3])
    return env


def run(env, *args):
    return subprocess.run([*YEKUO, *args], env=env, capture_output=True, text=True, cwd=Path(__file__).parents[3])


@pytest.mark.slow  # starts a subprocess
def test_deadline_from_the_issue(cli_env):
    done = run(cli_env, "calendar", "deadline", "--start", "2026-09-30T16:00+08:00", "--days", "1")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"deadline": "2026-10-08T16:00:00+08:00", "provisional": False}


@pytest.mark.slow  # starts a subprocess
def test_elapsed_with_a_pause(cli_env):
    done = run(
        cli_env,
        "calendar",
        "elapsed",
        "--start",
        "2026-09-30T16:00+08:00",
        "--end",
        "2026-10-12T09:00+08:00",
        "--paused",
        "2026-10-09T08:30+08:00/2026-10-09T12:00+08:00",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "working_minutes": 1200,
        "working_days": 2.857143,
        "provisional": False,
    }


@pytest.mark.slow  # starts a subprocess
def test_show_lists_holidays_and_makeup_days(cli_env):
    done = run(cli_env, "calendar", "show", "2026")
    shown = json.loads(done.stdout)
    assert [d["date"] for d in shown["makeup_days"]] == [
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-05-09",
        "2026-09-20",
        "2026-10-10",
    ]
    assert {"name": "国庆节", "from": "2026-10-01", "to": "2026-10-07", "days": 7} in shown["holidays"]
    assert json.loads(run(cli_env, "calendar", "show", "2027").stdout)["provisional"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["deadline", "--start", "2026-09-30T16:00", "--days", "1"], "no UTC offset"),
        (["deadline", "--start", "yesterday", "--days", "1"], "not an ISO 8601 time"),
        (["deadline", "--start", "2026-09-30T16:00+08:00", "--days", "-1"], "zero or a positive"),
        (["deadline", "--start", "2026-09-30T16:00+08:00", "--days", "0.3"], "multiple of 0.5"),
        (["deadline", "--start", "2035-01-02T09:00+08:00", "--days", "1"], "outside the loaded calendar"),
        (["elapsed", "--start", "2026-10-09T09:00+08:00", "--end", "2026-10-08T09:00+08:00"], "before start"),
        (
            ["deadline", "--start", "2026-09-30T16:00+08:00", "--days", "1", "--paused", "2026-10-01"],
            "START/END",
        ),
        (["show", "1999"], "not in the calendar"),
        (["load", "/nonexistent/2027.txt"], "cannot read"),
    ],
)
@pytest.mark.slow  # starts a subprocess
def test_bad_input_gives_one_line_and_exit_2(cli_env, args, message):
    done = run(cli_env, "calendar", *args)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], done.stderr


@pytest.mark.django_db
def test_load_through_call_command(tmp_path):
    path = tmp_path / "2027.txt"
    path.write_text("year 2027\ndocument 测试\nholiday 2027-01-01 元旦\nworkday 2027-02-20 调休\n", encoding="utf-8")
    out = StringIO()
    call_command("calendar", "load", str(path), stdout=out)
    assert json.loads(out.getvalue()) == {
        "year": 2027,
        "replaced": "provisional",
        "holidays": 1,
        "makeup_days": 1,
    }
    path.write_text("year 2027\ndocument 测试\nholiday 2027-01-01 元旦\nworkday 2027-02-22 调休\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"2027.txt:4: field 'date': 2027-02-22 is a Monday"):
        call_command("calendar", "load", str(path))


@pytest.mark.slow  # starts a process
def test_a_reader_that_stops_early_gets_no_traceback(cli_env):
    """`yekuo … | head`: the command's output goes to a pipe whose reader has gone; it ends quietly."""
    process = subprocess.Popen([*YEKUO, "calendar", "show", "2026"], env=cli_env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, cwd=Path(__file__).parents[3])  # fmt: skip
    process.stdout.close()  # before the command has written anything: every write meets a closed pipe
    error = process.stderr.read().decode()
    assert process.wait() == 1
    assert "Traceback" not in error and "BrokenPipeError" not in error, error
