"""The browser fixtures of the staff pages (Debian's Chromium, never Playwright's download)."""

from yekuo.web.tests.conftest import allow_async_unsafe, browser, live_cast, page  # noqa: F401

# The dashboard counts a test's orders itself: its database starts without a stored count (monitoring.counts).
