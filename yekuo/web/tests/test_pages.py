"""Login, layout and navigation by role, my work, and 403/404 (O5, R15)."""

import pytest

from yekuo.web.tests.helpers import complete, login, make_order

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese_and_logs_in_and_out(client, cast):
    page = client.get("/login/")
    assert page.status_code == 200 and "登录" in page.content.decode()
    bad = client.post("/login/", {"username": "clerk", "password": "wrong"})
    assert bad.status_code == 200 and "请输入一个正确的" in bad.content.decode()
    done = client.post("/login/", {"username": "clerk", "password": cast.password, "next": "/orders/"})
    assert done.status_code == 302 and done["Location"] == "/orders/"
    assert client.post("/logout/").status_code == 302
    assert client.get("/orders/")["Location"].startswith("/login/")


@pytest.mark.parametrize(
    ("user", "shown", "hidden"),
    [
        ("clerk", ["我的待办", "工单列表", "营业厅受理"], ["管理后台"]),
        ("customer_manager", ["我的待办", "工单列表"], ["营业厅受理"]),
        ("auditor", ["工单列表"], ["我的待办", "营业厅受理"]),
        ("nobody", [], ["我的待办", "工单列表", "营业厅受理"]),
        ("superuser", ["工单列表", "营业厅受理", "管理后台"], []),
    ],
)
def test_navigation_links_only_to_what_the_roles_allow(client, cast, user, shown, hidden):
    text = login(client, getattr(cast, user), cast).get("/").content.decode()
    nav = text.split("<nav", 1)[1].split("</nav>", 1)[0]
    assert all(name in nav for name in shown) and not any(name in nav for name in hidden)


@pytest.mark.parametrize(
    ("user", "url", "status"),
    [
        ("nobody", "/orders/", 403),
        ("nobody", "/work/", 403),
        ("auditor", "/orders/new/", 403),
        ("customer_manager", "/orders/new/", 403),
        ("clerk", "/orders/export.xlsx", 403),
        ("auditor", "/orders/export.xlsx", 200),
        ("clerk", "/orders/YK000000000/", 404),
    ],
)
def test_pages_refuse_with_403_or_404_never_500(client, cast, user, url, status):
    assert login(client, getattr(cast, user), cast).get(url).status_code == status


def test_anonymous_users_are_sent_to_login(client):
    for url in ("/work/", "/orders/", "/orders/new/", "/orders/export.xlsx", "/orders/YK1/"):
        assert client.get(url)["Location"].startswith("/login/?next=")


def test_my_work_lists_my_nodes_soonest_deadline_first(client, cast):
    later = make_order(cast, when="2026-11-20 09:00")
    sooner = make_order(cast, when="2026-11-19 09:00")
    make_order(cast, branch=cast.west)  # another branch: never shown
    text = login(client, cast.clerk, cast).get("/work/").content.decode()
    assert text.index(sooner.number) < text.index(later.number)
    assert "业务受理" in text and "超期" in text and "YK" in text
    assert text.count('data-node="acceptance"') == 2
    complete(sooner, cast.clerk, "acceptance", "2026-11-19 10:00")
    page = login(client, cast.customer_manager, cast).get("/work/").content.decode()
    assert sooner.number in page and later.number not in page and "现场勘察" in page


def test_my_work_joins_and_sorts_the_users_nodes_once_for_its_count_and_page(client, cast):
    """P4: at 1,000,000 orders a clerk's list is thousands of nodes, each joined to its order and clock; counting
    them and then sorting them for the page did that twice (bench/list_queries.py, my_work_clerk)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    orders = [make_order(cast, when=f"2026-11-{day} 09:00") for day in (18, 19, 20)]
    login(client, cast.clerk, cast)
    with CaptureQueriesContext(connection) as queries:
        text = client.get("/work/").content.decode()
    whole_list = [q["sql"] for q in queries if '"orders_nodeinstance"."role" IN' in q["sql"]]
    assert len(whole_list) == 1, whole_list
    assert all(o.number in text for o in orders) and text.index(orders[0].number) < text.index(orders[2].number)
    assert '<span class="badge text-bg-secondary">3</span>' in text


def test_english_is_available(client, cast):
    login(client, cast.clerk, cast)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    text = client.get("/").content.decode()
    assert 'lang="en"' in text and "My work" in text and "Order list" in text and "Counter application" in text
    order = make_order(cast, category="hv10_single")
    detail = client.get(f"/orders/{order.number}/").content.decode()
    assert "Clocks" in detail and "Acceptance" in detail and "10 kV single source" in detail
    assert "0.5 working days" in detail and "In transit" in detail and "Complete node" in detail
    assert "Time-limit chart" in detail and '"now": "Now"' in detail and '"gap": "Paused"' in detail
    listing = client.get("/orders/").content.decode()
    assert "Export to Excel" not in listing and "Overdue" in listing and "Counter" in listing
    assert "Sort by" in listing and "Deadline (soonest first)" in listing and "Deadline" in listing
    assert "Customer" in client.get("/orders/new/").content.decode()
    make_order(cast, when=None)  # received now: its acceptance clock has time left (the one above is overdue)
    work = client.get("/work/").content.decode()
    assert "Remaining" in work and "working days overdue" in work


def test_a_database_that_is_down_gives_a_503_page_not_a_server_error(client, cast, monkeypatch):
    from django.db import OperationalError

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    login(client, cast.clerk, cast)
    monkeypatch.setattr("yekuo.web.views.orders.filter_orders", locked)
    page = client.get("/orders/")
    assert page.status_code == 503 and page["Retry-After"] == "5"
    text = page.content.decode()
    assert "系统繁忙" in text and "没有保存任何内容" in text
    client.cookies["django_language"] = "en"
    assert "nothing was saved" in client.get("/orders/").content.decode()


def test_a_forms_address_opened_as_a_page_says_what_to_do(client, cast):
    """405 keeps its status and Allow header, with a page instead of an empty answer; the API keeps its JSON."""
    order = make_order(cast)
    page = client.get(f"/c/track/{order.number}/rate")  # a customer's form, no account
    assert page.status_code == 405 and page["Allow"] == "POST"
    assert 'id="method-not-allowed"' in page.content.decode() and "没有保存任何内容" in page.content.decode()
    login(client, cast.clerk, cast)
    page = client.get(f"/orders/{order.number}/actions/complete/")
    assert page.status_code == 405 and "请通过页面上的按钮操作" in page.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert (
        "Please use the buttons on the page" in client.get(f"/orders/{order.number}/actions/complete/").content.decode()
    )
    api = client.put("/api/v1/events", content_type="application/json")
    assert api.status_code == 405 and api.json()["code"] == "method_not_allowed"
