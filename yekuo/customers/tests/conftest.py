"""The customer's pages: the partner simulators and the SMS gateway simulator in threads of the test process (real
HTTP on 127.0.0.1), small valid documents, and an order driven to energization."""

import pytest

from yekuo.customers.simulators import sms
from yekuo.outbox.models import Destination
from yekuo.partners.tests.conftest import MODULES, running, url_of
from yekuo.web.tests.conftest import allow_async_unsafe, browser, live_cast  # noqa: F401 (the browser fixtures)

MODULES.setdefault("sms", sms)  # run like the partners' simulators (partners/tests/conftest.running)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CODE = "91150602MA0N5678YM"  # a well-formed credit code the e-licence simulator knows


def sms_gateway(**options):
    """The SMS gateway simulator serving on a free port, as the partners' simulators run in the tests."""
    return running("sms", **options)


def point_sms(server) -> Destination:
    Destination.objects.filter(code="customer_sms").delete()
    return Destination.objects.create(code="customer_sms", name="客户短信网关", transport="sms",
                                      url=f"{url_of(server)}/sms")  # fmt: skip


def codes_sent(server, phone: str) -> list[str]:
    return [m["params"]["code"] for m in server.received if m["phone"] == phone]


def energize(order, cast, until: str | None = None) -> None:
    """Drive the order to energization (or until the node `until` is done)."""
    from yekuo.orders import services

    roles = {"acceptance": cast.clerk, "survey_plan": cast.customer_manager, "approval": cast.project_manager,
             "grid_works": cast.project_manager, "contract_energize": cast.customer_manager}  # fmt: skip
    if order.received_at is None:  # waiting in the dispatch queue (the online channel's default route)
        from yekuo.intake.services import application_dispatch

        application_dispatch(order.application, actor=cast.dispatcher)
    for node in order.nodes.order_by("position").values_list("code", flat=True):
        order.refresh_from_db()
        if order.nodes.get(code=node).state == "active":
            services.node_complete(order, actor=roles[node], node=node)
        if node == until:
            order.refresh_from_db()
            return
    order.refresh_from_db()
    assert order.status == "energized", order.status


@pytest.fixture
def gateway(db):
    with sms_gateway() as server:
        point_sms(server)
        yield server


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _service(settings, name: str):
    with running(name) as server:
        prefix = f"YEKUO_{name.upper()}"
        setattr(settings, f"{prefix}_URL", url_of(server))
        setattr(settings, f"{prefix}_TIMEOUT", 0.5)
        setattr(settings, f"{prefix}_RETRIES", 0)
        yield server


@pytest.fixture
def elicence(settings):
    yield from _service(settings, "elicence")


@pytest.fixture
def identity(settings):
    yield from _service(settings, "identity")
