"""`yekuo demo`: idempotent, every role present, the documented logins work."""

from io import StringIO
from pathlib import Path

from django.core.management import call_command

from yekuo.accounts.codes import ROLES
from yekuo.accounts.demo import DEMO_PASSWORD, create_demo_org
from yekuo.accounts.models import Branch, Company, Department, ServiceArea, Station, User

DOC = Path(__file__).parents[3] / "docs" / "demo.md"
MODELS = [Company, Branch, Station, Department, ServiceArea, User, User.roles.through]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_demo_is_idempotent(db):
    first = create_demo_org()
    before = counts()
    second = create_demo_org()
    assert counts() == before
    assert first.summary() == second.summary()
    assert before["Branch"] == 4 and before["Department"] == 3 and before["User"] == 23


def test_every_role_has_a_user_and_branch_roles_exist_in_every_branch(db):
    org = create_demo_org()
    held = set(User.roles.through.objects.values_list("role_id", flat=True))
    assert held == set(ROLES)
    for branch in org.branches.values():
        roles = set(User.objects.filter(branch=branch).values_list("roles__code", flat=True))
        assert roles == {"acceptance_clerk", "customer_manager", "project_manager", "branch_manager"}
    assert org.users["ordos_dispatcher"].scope == "company"
    assert org.users["dongsheng_clerk"].scope == "branch"


def test_documented_logins_work(client, db):
    org = create_demo_org()
    text = DOC.read_text(encoding="utf-8")
    assert DEMO_PASSWORD in text
    for username in org.users:
        assert f"`{username}`" in text, f"{username} missing from docs/demo.md"

    def sign_in(username):  # through the login page, as people do (django-axes watches it)
        client.logout()
        return client.post("/login/", {"username": username, "password": DEMO_PASSWORD}).status_code == 302

    assert sign_in("dongsheng_clerk")
    assert sign_in("ordos_admin")
    assert client.get("/admin/accounts/user/").status_code == 200
    # The auditor reads the sign-in records on their own page, not in the admin site (least privilege).
    assert sign_in("ordos_auditor")
    assert client.get("/audit/sign-ins/").status_code == 200 and "ordos_admin" in client.get("/audit/sign-ins/").text
    assert client.get("/admin/").status_code == 302 and not org.users["ordos_auditor"].is_staff
    # The marketing system's account has no password: it signs in with a token only.
    assert not org.users["integration"].has_usable_password()
    assert not sign_in("integration")


def test_command_prints_a_summary(db):
    out = StringIO()
    call_command("demo", "--logins", stdout=out)
    call_command("demo", stdout=StringIO())
    text = out.getvalue()
    assert "organisation and people:" in text
    assert "branches: 4" in text and "users: 23" in text
    assert "dongsheng_clerk" in text and "docs/demo.md" in text
