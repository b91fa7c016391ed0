from pathlib import Path

import pytest

from yekuo.approvals.services import BUNDLED_DIR

BUNDLED = BUNDLED_DIR / "ordos-2022-64-lowrisk.toml"

# Two places for the route tests: one listed since the rule set took effect, one listed only from 2027.
PLACES = """
[[places]]
name = "鄂尔多斯大街"
kind = "street"
aliases = ["鄂尔多斯大街康巴什段"]
listed_from = 2022-07-17

[[places]]
name = "乌兰木伦湖"
kind = "landscape_node"
listed_from = 2027-01-01
"""

LOW_RISK = {
    "voltage_kv": 10,
    "excavation_m": 500,
    "obstacles": False,
    "single_function": True,
    "simple_technique": True,
    "touches_important_street": False,
}


@pytest.fixture
def bundled_text() -> str:
    return BUNDLED.read_text(encoding="utf-8")


@pytest.fixture
def write(tmp_path):
    """Write a file into tmp_path and return its path."""

    def write(text: str, name: str = "rules.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def with_places(bundled_text, write):
    """The bundled rule set under a new code and date, with the two places above."""

    def make(code="test-lowrisk-2026", effective="2026-01-01") -> Path:
        text = bundled_text.replace('code = "ordos-2022-64-lowrisk"', f'code = "{code}"').replace(
            "effective_from = 2022-07-17", f"effective_from = {effective}"
        )
        return write(text + PLACES, f"{code}.toml")

    return make
