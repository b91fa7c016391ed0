import pytest

from yekuo.intake import credentials
from yekuo.intake.platforms import platform_ensure
from yekuo.intake.testing import signed


class Pusher:
    """Signed pushes of one platform through the test client."""

    def __init__(self, client, platform, issued):
        self.client, self.platform, self.key_id, self.secret = client, platform, issued.key.key_id, issued.secret

    def __call__(self, body, *, key_id=None, secret=None, **options):
        path, raw, headers = signed(key_id or self.key_id, secret or self.secret, self.platform.code, body, **options)
        return self.client.post(path, data=raw, content_type="application/json", headers=headers)


@pytest.fixture
def platforms(cast):
    """The three government platforms of the cast company (approval platform: queue) and the investment one."""
    return {code: platform_ensure(code, cast.company) for code in
            ("approval_platform", "gov_portal", "mengsuban", "investment_platform")}  # fmt: skip


@pytest.fixture
def push(client, platforms):
    return Pusher(client, platforms["approval_platform"], credentials.key_issue(platforms["approval_platform"]))


def pusher(client, platform):
    return Pusher(client, platform, credentials.key_issue(platform))


@pytest.fixture(autouse=True)
def callbacks_sent(monkeypatch):
    """Every callback the intake app enqueues, as (destination, kind, payload, key); passed on to the outbox
    when it is installed."""
    from django.apps import apps

    from yekuo.intake import callbacks

    sent = []
    real = callbacks._enqueue

    def record(application, kind, payload, key):
        sent.append((application.platform.code, kind, payload, key))
        if apps.is_installed("yekuo.outbox"):
            real(application, kind, payload, key)

    monkeypatch.setattr(callbacks, "_enqueue", record)
    return sent


@pytest.fixture(autouse=True)
def _no_platform_copies():
    """Each test reads its own platforms (a rolled-back test's ids are reused on SQLite)."""
    from yekuo.intake.credentials import platforms_forget

    platforms_forget()
    yield
    platforms_forget()
