"""`yekuo simulate NAME` runs each simulator as its own process; `yekuo serve` starts them when asked."""

import json
import socket
import subprocess
import sys
import urllib.request

import pytest

from yekuo.web.management.commands.serve import simulator_commands


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PATHS = [("elicence", "/licences/91150602MA0N1234XU"), ("identity", "/verifications/MSB1"), ("utilities", "/received")]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "path"), PATHS)
def test_simulator_runs_as_its_own_process(name, path):
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "yekuo.cli", "simulate", name, "--port", str(port), "--quiet"],
                               stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert process.stdout.readline().startswith(f"yekuo simulator {name}: listening on http://127.0.0.1:{port}/")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            assert response.status == 200 and json.loads(response.read()) is not None
    finally:
        process.terminate()
        assert process.wait(timeout=30) == 0  # SIGTERM is a clean stop


def test_serve_starts_the_simulators_only_when_asked(settings):
    settings.YEKUO_SIMULATORS = False
    assert simulator_commands("127.0.0.1", 8000) == []
    settings.YEKUO_SIMULATORS = True
    commands = simulator_commands("0.0.0.0", 9000)
    assert [c[4] for c in commands] == ["elicence", "identity", "utilities", "sms"]
    assert commands[2][-2:] == ["--yekuo-url", "http://127.0.0.1:9000"]
