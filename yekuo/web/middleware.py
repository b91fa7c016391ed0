"""Chinese first: the page language is Simplified Chinese unless the user chose English; a database that is
unavailable gets a page that says so (503), not the server-error page; a form's address opened as a page gets a
page that says what to do (405), not an empty answer.

Django's LocaleMiddleware would follow the browser's Accept-Language, so a clerk whose browser happens to
be set to English would get English pages. Here only the language cookie (set by the 中文/English switch,
/i18n/setlang/) chooses; everyone else gets LANGUAGE_CODE (zh-hans). The API (/api/) speaks English, as its
documentation and every other message of it do (docs/api.md); its codes are the stable part.
"""

import logging

from django.conf import settings
from django.db import DatabaseError, OperationalError
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils import translation

from yekuo.common import migrated
from yekuo.common.api import RETRY_AFTER_SECONDS

logger = logging.getLogger("django.request")


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = dict(settings.LANGUAGES)
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        if request.path.startswith("/api/"):
            language = "en"
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class DatabaseUnavailableMiddleware:
    """A page whose database is down, restarting or (SQLite) held by another writer past the timeout: 503 with
    Retry-After and a page saying nothing was changed, since a write is one statement or one transaction. The
    page needs no database (not even the signed-in user), unlike the layout of the other pages. The API
    answers the same in JSON (`common.api.exception_handler`). A database that was never migrated is a 503 too,
    whose page says the system is not set up yet (`common.migrated`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        not_migrated = migrated.not_migrated_message(exception) if isinstance(exception, DatabaseError) else None
        if not_migrated:  # not busy but never set up: no Retry-After, the page says what the operator must run
            logger.error("Database not migrated: %s", not_migrated, exc_info=exception)
            return TemplateResponse(request, "503.html", {"not_migrated": True}, status=503)
        if not isinstance(exception, OperationalError):
            return None
        logger.warning("Database unavailable: %s", request.path, exc_info=exception)
        response = TemplateResponse(request, "503.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


class MethodNotAllowedPage:
    """A page that only takes a form's POST (`require_POST`: an action, an import, a plan) opened by its
    address, a bookmark or a reload answers 405 with an empty body, a blank page in the browser. This gives it
    a page saying nothing was done and where to go, keeping the status and the Allow header. The API's 405 is
    its JSON error already (`common.api`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.content or request.path.startswith("/api/"):
            return response
        page = render(request, "405.html", status=405)
        page["Allow"] = response.get("Allow", "")
        return page
