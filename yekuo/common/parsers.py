"""The API's JSON parser: DRF's, refusing an object that gives a key twice (`yekuo.common.strict_json`).

A module of its own because REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] names it: DRF imports it while defining
its views, so it must not import them (`yekuo.common.api` does).
"""

import codecs

from rest_framework import exceptions, parsers
from rest_framework.utils.json import strict_constant

from yekuo.common import strict_json


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing an object that gives a key twice (`strict_json`): 400 malformed_request
    that names the key, instead of keeping whichever came last."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})  # DRF's: refuses a non-text codec (a zip bomb)
        try:
            constant = strict_constant if self.strict else None  # NaN and Infinity refused, as DRF's parser does
            return strict_json.load(codecs.getreader(encoding)(stream), parse_constant=constant)
        except ValueError as exc:
            raise exceptions.ParseError(f"the body is not valid JSON: {exc}") from None
