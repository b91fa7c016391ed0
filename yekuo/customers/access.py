"""Which orders this browser may see (R1; R15: a customer sees only their own), without an account.

An order is opened by its one-time code (`services.code_check`) or by the signed, expiring link of the QR code
on its acceptance slip; either binds the order's number to the browser's session for BOUND_SECONDS. The
progress page shows an order only when its number is bound to the session: knowing a number is not enough.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core import signing

SESSION_KEY = "yekuo_customer_orders"
BOUND_SECONDS = 2 * 3600
LINK_SALT = "yekuo.customers.track"


def bind(request, number: str) -> None:
    now = int(time.time())
    bound = {n: t for n, t in request.session.get(SESSION_KEY, {}).items() if t > now}
    if not bound:
        request.session.cycle_key()  # a new session id when a browser first opens an order (no fixation)
    bound[number] = now + BOUND_SECONDS
    request.session[SESSION_KEY] = bound


def is_bound(request, number: str) -> bool:
    return request.session.get(SESSION_KEY, {}).get(number, 0) > time.time()


def bound_numbers(request) -> list[str]:
    now = time.time()
    return sorted(n for n, t in request.session.get(SESSION_KEY, {}).items() if t > now)


def link_token(number: str) -> str:
    """The signed token of the slip's QR link (it carries the number and the time it was made)."""
    return signing.TimestampSigner(salt=LINK_SALT).sign(number)


def link_number(token: str) -> str | None:
    """The order number of a valid token younger than YEKUO_TRACK_LINK_DAYS; None when forged or expired."""
    try:
        return signing.TimestampSigner(salt=LINK_SALT).unsign(token, max_age=settings.YEKUO_TRACK_LINK_DAYS * 86400)
    except signing.BadSignature:  # SignatureExpired is one
        return None


def link_url(number: str) -> str:
    from django.urls import reverse

    return settings.YEKUO_SITE_URL.rstrip("/") + reverse("customer_link", args=[link_token(number)])
