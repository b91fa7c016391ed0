import pytest

from yekuo.intake.tests.conftest import Pusher, callbacks_sent, platforms  # noqa: F401  (shared fixtures)
from yekuo.orders.validation import uscc_check


def uscc(first17: str) -> str:
    """A valid unified social credit code from its first 17 characters."""
    return first17 + uscc_check(first17)


CODE = uscc("91150602MA0Q2X3Y4")
OTHER_CODE = uscc("91150603MA0R5T6U7")


@pytest.fixture
def investment(client, platforms):  # noqa: F811
    from yekuo.intake import credentials

    platform = platforms["investment_platform"]
    return Pusher(client, platform, credentials.key_issue(platform))


def push_body(application_id: str, **overrides) -> dict:
    body = {
        "application_id": application_id,
        "submitted_at": "2026-11-02T09:00:00+08:00",
        "project_name": "东区物流园",
        "customer": {"name": "某物流有限公司", "id_number": CODE, "phone": "13947700001"},
        "site": {"address": "东区物流园路1号"},
        "capacity_kva": 2000,
        "voltage": "10kV",
    }
    body.update(overrides)
    return body


@pytest.fixture(autouse=True)
def _no_platform_copies():
    from yekuo.intake.credentials import platforms_forget

    platforms_forget()
    yield
    platforms_forget()
