"""JSON with each object's keys given once (OWASP ASVS 5.1: one reading of a request).

`json.loads` keeps the last of two equal keys silently, and another parser may keep the first: a body that
says `"low_risk": false, "low_risk": true` would then mean one thing to its sender's checks and another to
yekuo, and a signed push one thing to its signature's and another to its content's reader. Every JSON body
yekuo takes (the API through `yekuo.common.parsers.JSONParser`, the platform pushes, the partners' answers) and
every JSON file its commands load is read here, and a repeated key is refused with its name.
"""

from __future__ import annotations

import json


class DuplicateKey(ValueError):
    """An object gives the same key twice (a ValueError, as `json.JSONDecodeError` is)."""

    def __init__(self, key: str):
        super().__init__(f"the key {key!r} is given twice in one object")
        self.key = key


def unique_keys(pairs: list[tuple[str, object]]) -> dict:
    """`object_pairs_hook` of json: the object, or DuplicateKey at the first key given twice."""
    data = {}
    for key, value in pairs:
        if key in data:
            raise DuplicateKey(key)
        data[key] = value
    return data


def loads(text: str | bytes, **options) -> object:
    """`json.loads`, refusing an object that gives a key twice (DuplicateKey, a ValueError)."""
    return json.loads(text, object_pairs_hook=unique_keys, **options)


def load(stream, **options) -> object:
    """`json.load`, refusing an object that gives a key twice (DuplicateKey, a ValueError)."""
    return json.load(stream, object_pairs_hook=unique_keys, **options)
