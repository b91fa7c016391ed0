"""The browser fixtures of the staff pages (Debian's Chromium, never Playwright's download)."""

from yekuo.visits.tests.conftest import _works_gate_off  # noqa: F401
from yekuo.web.tests.conftest import allow_async_unsafe, browser, live_cast, page  # noqa: F401
