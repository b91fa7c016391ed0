import pytest


@pytest.mark.django_db
def test_home_page_is_chinese_first_and_switches_to_english(client):
    page = client.get("/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "业扩报装全流程管控" in text and 'lang="zh-hans"' in text
    assert "2027" in text  # the provisional years are shown

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get("/").content.decode()


@pytest.mark.django_db
def test_healthz_checks_database_and_cache(client, settings):
    health = client.get("/healthz").json()
    assert (health["status"], health["database"], health["cache"]) == ("ok", "ok", "ok")
    # On the PostgreSQL run of CI, REDIS_URL is set and this round trip goes through a real Redis.
    assert health["cache_backend"] == ("redis" if settings.REDIS_URL else "files")


@pytest.mark.django_db
def test_chinese_first_whatever_the_browser_says(client):
    english_browser = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="zh-hans"' in english_browser.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
