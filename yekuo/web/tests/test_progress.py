"""办电进度查询 moved to the customer's own pages (R1; yekuo/customers): the old address redirects there, and the
public home page offers applying online and tracking first."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_old_address_redirects_to_the_customer_lookup(client):
    response = client.get("/progress/")
    assert response.status_code == 301 and response["Location"] == "/c/track"
    assert client.post("/progress/", {"number": "YK2026110001"})["Location"] == "/c/track"


def test_the_home_page_offers_applying_and_tracking(client, cast):
    text = client.get("/").content.decode()
    assert 'href="/c/track"' in text and 'href="/c/apply"' in text and "办电进度查询" in text
    assert 'id="customer-entry"' in text and "员工登录" in text  # customers first on the public home page
