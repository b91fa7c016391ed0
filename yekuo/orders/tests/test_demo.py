from io import StringIO

import pytest
from django.core.management import call_command

from yekuo.accounts.models import User
from yekuo.accounts.selectors import propose_branch
from yekuo.orders.models import OrderEvent, WorkOrder
from yekuo.orders.recompute import verify_orders
from yekuo.orders.validation import validate_order


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


@pytest.mark.django_db
def test_demo_customers_belong_to_their_branch_and_pass_the_data_rules():
    """O2: an address in 达拉特旗 is an order of 达拉特供电分公司, and every number is valid."""
    call_command("demo", "--orders", "16", stdout=StringIO())
    orders = list(WorkOrder.objects.filter(source_system="demo").select_related("branch", "service_area"))
    assert len(orders) == 16 and {o.branch.code for o in orders} == {"dongsheng", "kangbashi", "yijinhuoluo", "dalate"}
    for order in orders:
        assert order.service_area.branch_id == order.branch_id
        assert propose_branch(order.site_address) == order.branch, order.site_address
        values = validate_order(
            category=order.category, customer_name=order.customer_name, site_address=order.site_address,
            capacity_kva=order.capacity_kva, voltage=order.voltage, customer_id_number=order.customer_id_number,
            customer_phone=order.customer_phone,
        )  # fmt: skip
        assert values.branch == order.branch
    assert "达拉特旗" in next(o for o in orders if o.branch.code == "dalate").site_address


@pytest.mark.django_db
def test_demo_orders_count_is_chosen_and_zero_loads_people_only():
    out = StringIO()
    call_command("demo", "--orders", "0", stdout=out)
    assert WorkOrder.objects.count() == 0 and "work orders" not in out.getvalue()
    assert User.objects.filter(username="dalate_clerk").exists()
    call_command("demo", "--orders", "3", stdout=StringIO())
    call_command("demo", "--orders", "5", stdout=StringIO())  # adds the two missing, keeps the three
    assert WorkOrder.objects.filter(source_system="demo").count() == 5


@pytest.mark.django_db
def test_copies_past_the_service_made_orders_replay_to_their_rows():
    """Past the first TEMPLATES orders the demo copies them, moved back in working time (demo_bulk): every
    copy's rows are what its moved log folds to, and a second run adds only the missing ones."""
    from yekuo.orders.demo import TEMPLATES

    call_command("demo", "--orders", str(TEMPLATES + 150), stdout=StringIO())
    copies = WorkOrder.objects.filter(external_ref__startswith="demo-copy-")
    assert copies.count() == 150
    assert {o.status for o in copies} >= {"in_transit", "energized"}
    assert all(not differences for _, differences in verify_orders(copies))
    assert len({o.number for o in copies}) == 150
    assert not OrderEvent.objects.filter(order__in=copies, idempotency_key__isnull=False).exists()
    out = StringIO()
    call_command("demo", "--orders", str(TEMPLATES + 160), stdout=out)
    assert copies.all().count() == 160 and f"work orders: {TEMPLATES + 160}" in out.getvalue()
