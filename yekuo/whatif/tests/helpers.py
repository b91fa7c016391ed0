"""Orders with known clocks for the what-if and export tests, and proposed tables made from the bundled one."""

import re
from pathlib import Path

from yekuo.monitoring.tests.conftest import complete
from yekuo.orders.tests.test_due import create

BUNDLED = Path(__file__).parents[2] / "regulations" / "data" / "ordos-2022-64.toml"

__all__ = ["complete", "create", "proposed", "two_orders"]


def proposed(tmp_path, category: str, clock: str, days: float, name: str = "proposed.toml") -> Path:
    """The bundled table under another code with one clock's limit changed (a file, never loaded)."""
    text = BUNDLED.read_text(encoding="utf-8")
    text = text.replace('code = "ordos-2022-64"', 'code = "ordos-proposed"', 1)
    header = f"[categories.{category}.clocks.{clock}]"
    start = text.index(header)
    block_end = text.index("\n[", start + len(header))
    old = float(re.search(r"(?m)^limit = ([0-9.]+)", text[start:block_end]).group(1))
    block = re.sub(r"(?m)^limit = [0-9.]+", f"limit = {days}", text[start:block_end], count=1)
    text = text[:start] + block + text[block_end:]
    # The category's recorded critical path moves with the clock (every survey is on it; the loader checks).
    head = text.index(f"[categories.{category}]")
    line_start = text.index("critical_path = ", head)
    line_end = text.index("\n", line_start)
    line = re.sub(r"[0-9]+(?:\.[0-9]+)?", lambda m: f"{float(m.group()) + days - old:g}", text[line_start:line_end])
    path = tmp_path / name
    path.write_text(text[:line_start] + line + text[line_end:], encoding="utf-8")
    return path


def two_orders(cast):
    """Two lv_business counter orders of the east branch (survey_plan limit 1 day = 420 working minutes):
    `on_time` completes the survey in 360 minutes, `late` in 480; both then wait in approval."""
    on_time = create(cast, "2026-11-02 09:00")
    complete(cast, on_time, "acceptance", "2026-11-02 10:00")
    # 10:00–12:00 (120) + 14:30–18:00 (210) + 08:30–09:00 (30) = 360 minutes
    complete(cast, on_time, "survey_plan", "2026-11-03 09:00", actor=cast.customer_manager)
    late = create(cast, "2026-11-02 09:00")
    complete(cast, late, "acceptance", "2026-11-02 10:00")
    # 120 + 210 + 08:30–11:00 (150) = 480 minutes
    complete(cast, late, "survey_plan", "2026-11-03 11:00", actor=cast.customer_manager)
    return on_time, late
