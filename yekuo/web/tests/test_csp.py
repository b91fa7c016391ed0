"""A Content-Security-Policy on every page, allowing only what yekuo serves itself (S1), and a CSRF
cookie that page scripts cannot read (htmx sends the token from the page, not from the cookie)."""

import re

import pytest

from yekuo.web.tests.helpers import login, make_order

pytestmark = pytest.mark.django_db

PUBLIC = [
    "/",
    "/login/",
    "/progress/",
    "/admin/login/",
    "/c/apply",
    "/c/apply/resident",
    "/c/apply/business",
    "/c/track",
]
STAFF = ["/orders/", "/work/", "/orders/new/", "/orders/{number}/"]


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("path", PUBLIC + STAFF)
def test_every_page_has_a_policy_without_inline_script(client, cast, path):
    if path in STAFF:
        login(client, cast.clerk, cast)
        path = path.format(number=make_order(cast, when="2026-11-02 09:00").number)
    response = client.get(path, follow=True)
    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'self'"]
    for kind in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in policy[kind] and "'unsafe-eval'" not in policy[kind]
        assert all(source == "'self'" or source.startswith("'nonce-") for source in policy[kind]), policy[kind]
    # No inline script (other than JSON data), no inline style, no inline event handler on the page itself.
    html = response.content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag or "nonce=" in tag, tag
    assert "<style" not in html and not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_the_csrf_cookie_is_not_readable_by_script(client):
    response = client.get("/login/")
    assert response.cookies["csrftoken"]["httponly"] is True
