"""The browser fixtures of the staff pages (Debian's Chromium, never Playwright's download)."""

import pytest

from yekuo.web.tests.conftest import allow_async_unsafe, browser, live_cast, page  # noqa: F401


@pytest.fixture(autouse=True)
def _dashboard_counted_each_time(settings):
    """Each test counts its own orders, not a previous test's kept in the cache."""
    settings.YEKUO_DASHBOARD_CACHE_SECONDS = 0
