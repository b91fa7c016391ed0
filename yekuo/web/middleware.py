"""Chinese first: the page language is Simplified Chinese unless the user chose English.

Django's LocaleMiddleware would follow the browser's Accept-Language, so a clerk whose browser happens to
be set to English would get English pages. Here only the language cookie (set by the 中文/English switch,
/i18n/setlang/) chooses; everyone else gets LANGUAGE_CODE (zh-hans).
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = dict(settings.LANGUAGES)
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
