from io import StringIO

import pytest
from django.core.management import call_command

from yekuo.orders.models import WorkOrder
from yekuo.orders.recompute import verify_orders


@pytest.mark.django_db
def test_demo_has_every_category_in_every_state_and_is_idempotent():
    call_command("demo", stdout=StringIO())
    orders = WorkOrder.objects.filter(source_system="demo")
    assert {o.category for o in orders} == {"lv_resident", "lv_business", "hv10_single", "hv10_dual"}
    assert {o.status for o in orders} == {"created", "in_transit", "suspended", "energized", "cancelled"}
    for category in ("lv_resident", "hv10_dual"):
        assert {o.status for o in orders.filter(category=category)} >= {"in_transit", "energized"}
    count = orders.count()
    call_command("demo", stdout=StringIO())
    assert WorkOrder.objects.filter(source_system="demo").count() == count
    assert all(not differences for _, differences in verify_orders(orders))
