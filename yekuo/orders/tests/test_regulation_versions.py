"""R14: an order keeps the regulation in force when it was created, clocks and all, after a new version
takes effect; orders created from the new version's effective date take the new one."""

import pytest

from yekuo.orders import services
from yekuo.orders.models import Clock, EventSource, WorkOrder
from yekuo.orders.recompute import verify_orders
from yekuo.regulations.services import BUNDLED_DIR, regulation_load
from yekuo.workcal.tests.conftest import at

OLD, NEW = "ordos-2022-64", "ordos-2026-test"


@pytest.fixture
def new_version(tmp_path):
    """A later version, in force from 2026-11-20: the 10 kV single-source grid works take 10 days, not 13."""
    text = (BUNDLED_DIR / "ordos-2022-64.toml").read_text(encoding="utf-8")
    changed = (
        text.replace(f'code = "{OLD}"', f'code = "{NEW}"')
        .replace("effective_from = 2022-07-17", "effective_from = 2026-11-20")
        .replace('nodes = ["grid_works"]\nlimit = 13', 'nodes = ["grid_works"]\nlimit = 10')
        .replace("true = 16.5, false = 19.5, pending = 19.5", "true = 13.5, false = 16.5, pending = 16.5")
    )
    assert changed.count("limit = 10") > text.count("limit = 10")
    path = tmp_path / "new.toml"
    path.write_text(changed, encoding="utf-8")
    return path


def _to_grid_works(cast, created: str, day: str):
    order = services.order_create(
        actor=cast.clerk, category="hv10_single", channel="counter", customer_name="x", site_address="东区1号",
        customer_phone="13912345678",
        capacity_kva=630, voltage="10kV", occurred_at=at(f"{created} 09:00"), source=EventSource.IMPORT,
    )  # fmt: skip
    for node, actor in [("acceptance", cast.clerk), ("survey_plan", cast.customer_manager)]:
        services.node_complete(order, actor=actor, node=node, occurred_at=at(f"{day} 10:00"), source=EventSource.IMPORT)
    services.approval_decide(order, actor=cast.project_manager, low_risk=True, occurred_at=at(f"{day} 11:00"),
                             source=EventSource.IMPORT)  # fmt: skip
    services.node_complete(order, actor=cast.project_manager, node="approval", occurred_at=at(f"{day} 15:00"),
                           source=EventSource.IMPORT)  # fmt: skip
    return order


def _grid(order) -> Clock:
    return Clock.objects.get(order=order, code="grid_works")


def test_an_order_keeps_its_regulation_after_a_new_version_takes_effect(cast, new_version):
    old = _to_grid_works(cast, "2026-11-16", "2026-11-17")
    assert (float(_grid(old).limit_days), _grid(old).deadline_at) == (13, at("2026-12-04 15:00"))

    regulation_load(new_version)
    # The old order keeps its version: an action after the change folds its log under the old limits.
    services.order_suspend(old, actor=cast.clerk, reason_code="customer_request", evidence_note="客户来电",
                           occurred_at=at("2026-11-23 09:00"), source=EventSource.IMPORT)  # fmt: skip
    services.order_resume(old, actor=cast.clerk, occurred_at=at("2026-11-23 10:00"), source=EventSource.IMPORT)
    old.refresh_from_db()
    assert old.regulation_code == OLD
    grid = _grid(old)
    assert float(grid.limit_days) == 13 and grid.budget_seconds == 13 * 420 * 60
    assert grid.deadline_at == at("2026-12-04 16:00")  # 13 days, plus the hour it was suspended

    new = _to_grid_works(cast, "2026-11-23", "2026-11-24")
    assert WorkOrder.objects.get(pk=new.pk).regulation_code == NEW
    assert float(_grid(new).limit_days) == 10 and _grid(new).deadline_at == at("2026-12-08 15:00")
    assert all(not differences for _, differences in verify_orders())  # each log refolds under its own version
