"""bench/monitoring.py always ends with its JSON line (R9, R10 figures): a page that fails, a step that raises
or a stop by Ctrl-C keep the figures measured before, and say so."""

import json

import pytest

from bench import monitoring


@pytest.fixture
def bench(monkeypatch, db, cast):
    monkeypatch.setattr(monitoring, "setup_django", lambda: None)
    monkeypatch.setattr("bench.clock_engine.host_yardstick", lambda: 1)
    monkeypatch.setattr(
        monitoring,
        "PAGES",
        (("fine", cast.dispatcher.username, "/orders/"), ("missing", cast.dispatcher.username, "/no-such-page/")),
    )
    return monitoring


def last_json(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_a_page_that_fails_is_recorded_and_the_line_is_printed(bench, capsys):
    result = bench.main(["--pages-only", "--runs", "2"])
    line = last_json(capsys)
    assert line == json.loads(json.dumps(result))
    assert line["pages"]["missing"] == {"status": 404}
    assert line["pages"]["fine"]["runs"] == 2 and line["dashboard_p95_ms"] is not None
    assert line["complete"] is True and line["orders"] == 0


def test_a_stopped_run_still_prints_what_it_measured(bench, capsys, monkeypatch):
    from django.test import Client

    real = Client.get

    def stop_at_the_second_page(self, path, *args, **kwargs):
        if path == "/no-such-page/":
            raise KeyboardInterrupt
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(Client, "get", stop_at_the_second_page)
    bench.main(["--pages-only", "--runs", "1"])
    line = last_json(capsys)
    assert line["complete"] is False and line["stopped"]
    assert line["pages"]["fine"]["runs"] == 1 and line["dashboard_p95_ms"] is not None
    assert "missing" not in line["pages"]


def test_a_failed_step_is_named(bench, capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("scan exploded")

    monkeypatch.setattr("yekuo.monitoring.scan.scan", broken)
    bench.main(["--runs", "1"])
    line = last_json(capsys)
    assert line["complete"] is False and "scan exploded" in line["error"] and "orders" in line


def test_a_slow_page_stops_at_its_budget(bench, capsys):
    bench.main(["--pages-only", "--runs", "50", "--page-budget-s", "0.000001"])
    assert last_json(capsys)["pages"]["fine"]["runs"] == 1
