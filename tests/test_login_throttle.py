"""Sign-ins are throttled and recorded (S2, django-axes): failures per account and per client address,
a lockout that says when to try again, lifted when the cool-off has passed; every sign-in logged for auditors."""

import ipaddress
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.test import Client

pytestmark = pytest.mark.django_db

PAGES = {"staff": "/login/", "admin": "/admin/login/"}


def sign_in(form, username, password, address="198.51.100.10", client=None, **extra):
    client = client or Client()
    return client.post(PAGES[form], {"username": username, "password": password, "next": "/"},
                       REMOTE_ADDR=address, **extra)  # fmt: skip


def signed_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.wsgi_request.session


@pytest.mark.parametrize("form", ["staff", "admin"])
def test_fifty_wrong_passwords_then_the_right_one_is_refused(cast, form, settings):
    user = cast.superuser if form == "admin" else cast.clerk
    statuses = [sign_in(form, user.username, f"wrong-{i}").status_code for i in range(50)]
    limit = settings.AXES_FAILURE_LIMIT
    assert statuses[: limit - 1] == [200] * (limit - 1) and set(statuses[limit - 1 :]) == {429}
    refused = sign_in(form, user.username, cast.password)
    assert refused.status_code == 429 and not signed_in(refused)
    text = refused.content.decode()
    assert "登录已暂时锁定" in text and "之后再试" in text and refused["Retry-After"] == str(15 * 60)
    # The account is locked from anywhere; the address is locked for any account; others are not.
    assert sign_in(form, user.username, cast.password, address="203.0.113.5").status_code == 429
    assert sign_in(form, cast.customer_manager.username, cast.password).status_code == 429
    other = sign_in("staff", cast.customer_manager.username, cast.password, address="203.0.113.5")
    assert signed_in(other)


def test_the_lockout_says_when_in_english_too(cast):
    client = Client()
    client.cookies["django_language"] = "en"
    for i in range(10):
        response = sign_in("staff", cast.clerk.username, f"wrong-{i}", client=client)
    assert response.status_code == 429
    assert "Sign-in temporarily locked" in response.content.decode()
    assert "Try again after" in response.content.decode()


def test_the_lockout_lifts_after_the_cool_off(cast, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        sign_in("staff", cast.clerk.username, f"wrong-{i}")
    assert sign_in("staff", cast.clerk.username, cast.password).status_code == 429
    # As if the cool-off had passed since the last failure (the database's clock, not the test's).
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(minutes=16))
    assert signed_in(sign_in("staff", cast.clerk.username, cast.password))
    # A success wipes the count: one more mistake does not lock again.
    assert sign_in("staff", cast.clerk.username, "wrong-again").status_code == 200


def test_behind_a_trusted_proxy_the_client_address_is_counted(cast, settings):
    """As the customer lookup does (common/throttle.client_address): not the proxy's address."""
    settings.YEKUO_TRUSTED_PROXIES = (ipaddress.ip_network("10.9.0.0/16"),)
    for i in range(settings.AXES_FAILURE_LIMIT):
        sign_in("staff", f"nobody-{i}", "x", address="10.9.0.1", HTTP_X_FORWARDED_FOR="198.51.100.66")
    assert sign_in("staff", cast.clerk.username, cast.password, address="10.9.0.1",
                   HTTP_X_FORWARDED_FOR="198.51.100.66").status_code == 429  # fmt: skip
    assert signed_in(sign_in("staff", cast.clerk.username, cast.password, address="10.9.0.1",
                             HTTP_X_FORWARDED_FOR="198.51.100.7"))  # fmt: skip
    assert AccessAttempt.objects.filter(ip_address="198.51.100.66").exists()


def test_sign_ins_are_logged_for_auditors(cast, admin_client):
    sign_in("staff", cast.clerk.username, "wrong-secret")
    # The password tried is never stored: the attempt records what was posted, masked.
    attempt = AccessAttempt.objects.get(username=cast.clerk.username)
    assert "wrong-secret" not in attempt.post_data and "password" in attempt.post_data
    assert signed_in(sign_in("staff", cast.clerk.username, cast.password, address="198.51.100.20"))
    assert AccessFailureLog.objects.get(username=cast.clerk.username).ip_address == "198.51.100.10"
    success = AccessLog.objects.get(username=cast.clerk.username)
    assert success.ip_address == "198.51.100.20"
    for page in ("accesslog", "accessfailurelog", "accessattempt"):
        assert admin_client.get(f"/admin/axes/{page}/").status_code == 200


def test_an_auditor_reads_the_sign_in_records_and_nothing_else_in_the_admin(cast):
    sign_in("staff", cast.clerk.username, "wrong")
    auditor = cast.auditor
    auditor.is_staff = True
    auditor.save()
    client = Client()
    client.force_login(auditor)
    for page in ("accesslog", "accessfailurelog", "accessattempt"):
        assert client.get(f"/admin/axes/{page}/").status_code == 200
    attempt = AccessAttempt.objects.get()
    assert client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()
    assert client.get("/admin/accounts/user/").status_code == 403
    assert client.get("/admin/orders/workorder/").status_code == 403
    # Another role with the same staff flag sees none of it.
    clerk = Client()
    cast.clerk.is_staff = True
    cast.clerk.save()
    clerk.force_login(cast.clerk)
    assert clerk.get("/admin/axes/accesslog/").status_code == 403


@pytest.mark.parametrize("remote", [None, ""])
def test_a_sign_in_without_a_client_address_is_recorded_without_one(cast, remote):
    """A Unix socket gives no REMOTE_ADDR, nor does a test client's force_login: axes records the sign-in with
    no address (PostgreSQL's inet column refused the placeholder `unknown`, and the sign-in failed)."""
    from django.test import RequestFactory

    from yekuo.common.throttle import client_ip

    request = RequestFactory().post("/login/")
    if remote is None:
        del request.META["REMOTE_ADDR"]
    else:
        request.META["REMOTE_ADDR"] = remote
    assert client_ip(request) is None
    client = Client()
    client.force_login(cast.clerk)
    assert AccessLog.objects.get(username=cast.clerk.username).ip_address is None


def test_an_auditor_reads_the_sign_ins_of_their_scope_on_a_page_without_the_admin(cast):
    """The auditor role (no staff flag, no admin) has its own page of successful and failed sign-ins, scoped as
    the orders are: the company's users, and the failures under names that are nobody's."""
    from yekuo.accounts.services import user_create

    sign_in("staff", cast.clerk.username, "wrong", address="198.51.100.31")
    assert signed_in(sign_in("staff", cast.west_clerk.username, cast.password, address="198.51.100.32"))
    sign_in("staff", "no-such-user", "guess", address="198.51.100.33")
    sign_in("staff", cast.outsider.username, "wrong", address="198.51.100.34")  # another company's user
    assert not cast.auditor.is_staff
    client = Client()
    client.force_login(cast.auditor)
    successes = client.get("/audit/sign-ins/").content.decode()
    assert cast.west_clerk.username in successes and "198.51.100.32" in successes
    failures = client.get("/audit/sign-ins/?kind=failure").content.decode()
    assert "198.51.100.31" in failures and "no-such-user" in failures and "198.51.100.33" in failures
    assert "198.51.100.34" not in failures  # not of the auditor's company
    only = client.get(f"/audit/sign-ins/?kind=failure&username={cast.clerk.username}").content.decode()
    assert "198.51.100.31" in only and "198.51.100.33" not in only
    assert "登录记录" in client.get("/").content.decode()  # in the auditor's navigation
    # A branch auditor reads the branch's users only; the other roles have no such page.
    branch_auditor = user_create(username="east_auditor", password=cast.password, company=cast.company,
                                 branch=cast.east, roles=["auditor"])  # fmt: skip
    client.force_login(branch_auditor)
    failures = client.get("/audit/sign-ins/?kind=failure").content.decode()
    assert "198.51.100.31" in failures and "no-such-user" not in failures
    assert "198.51.100.32" not in client.get("/audit/sign-ins/").content.decode()
    for user in (cast.clerk, cast.branch_manager, cast.integration):
        client.force_login(user)
        assert client.get("/audit/sign-ins/").status_code == 403
