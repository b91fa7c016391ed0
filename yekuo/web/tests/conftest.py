"""Browser fixtures: Debian's Chromium driven by Playwright against Django's live server.

Never Playwright's own browser download (the machines reach only package registries): the `browser`
fixture launches /usr/bin/chromium. Without it the browser tests are skipped, unless
YEKUO_REQUIRE_BROWSER is set (CI), where a missing browser is a failure.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def allow_async_unsafe():
    """Playwright's sync API keeps an event loop in this thread while the browser is open; the tests'
    own ORM calls are still synchronous, so Django's async-safety guard is lifted for this module only
    (an environment variable left set would fail `check --deploy` in other tests)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def browser(allow_async_unsafe):
    """Module-scoped so that the browser and its event loop are gone before other modules' tests."""
    if not CHROMIUM.exists():
        if os.environ.get("YEKUO_REQUIRE_BROWSER"):
            pytest.fail(f"YEKUO_REQUIRE_BROWSER is set but {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=TIMEOUT_MS)
        yield chromium
        chromium.close()


def csp_watch(context) -> list[str]:
    """The Content-Security-Policy violations (and script errors) of every page of `context`, as the browser's
    console reports them: a page whose script, style or image the policy refuses is a broken page."""
    problems: list[str] = []

    def on_console(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            problems.append(message.text)

    def on_page(page):
        page.on("console", on_console)
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))

    context.on("page", on_page)
    return problems


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    problems = csp_watch(context)
    page = context.new_page()
    yield page
    context.close()
    assert not problems, "the browser reported: " + "; ".join(problems)


@pytest.fixture
def live_cast(transactional_db, live_server):
    """The cast, the calendar and the regulations in a database the live server shares."""
    from yekuo.accounts.testing import make_cast
    from yekuo.common.testing import reload_reference_data

    reload_reference_data()
    return make_cast()
