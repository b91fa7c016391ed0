"""Orders for the page tests, made through the services like everything else."""

from django.utils import timezone

from yekuo.orders import services
from yekuo.orders.models import EventSource
from yekuo.workcal.tests.conftest import at

IMPORT = EventSource.IMPORT  # imports may be back-dated without a reason: old, fixed dates for stable clocks


def make_order(cast, category="lv_resident", when="2026-09-29 09:00", branch=None, **kwargs):
    defaults = {
        "actor": cast.clerk if branch is None or branch == cast.east else cast.west_clerk,
        "category": category,
        "channel": "counter",
        "customer_name": "张三",
        "customer_id_number": "152701199001011239",
        "customer_phone": "13912345678",
        "site_address": "东区康和路1号" if branch is None or branch == cast.east else "西区园林路2号",
        "capacity_kva": 8 if category.startswith("lv") else 630,
        "voltage": "220V" if category == "lv_resident" else ("380V" if category == "lv_business" else "10kV"),
        "occurred_at": at(when) if when else timezone.now(),
        "source": IMPORT,
    }
    return services.order_create(**{**defaults, **kwargs})


def complete(order, actor, node, when):
    return services.node_complete(order, actor=actor, node=node, occurred_at=at(when), source=IMPORT)


def login(client, user, cast):
    """Signed in as `user` (whose password is the cast's). Sign-ins themselves go through the login page
    (django-axes needs the request, which client.login does not pass): test_login_throttle."""
    assert user.check_password(cast.password)
    client.force_login(user)
    return client
