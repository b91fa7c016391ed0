"""JSON with each key given once (yekuo/common/strict_json.py): the API, the signed pushes and answers, and the
files the commands read refuse an object that gives a key twice, naming the key (ASVS 5.1)."""

import json

import pytest

from yekuo.common import strict_json


def test_a_key_given_twice_is_refused_with_its_name():
    with pytest.raises(strict_json.DuplicateKey) as raised:
        strict_json.loads('{"a": 1, "b": {"low_risk": false, "low_risk": true}}')
    assert raised.value.key == "low_risk" and isinstance(raised.value, ValueError)
    assert "'low_risk' is given twice" in str(raised.value)


def test_json_without_repeats_reads_as_json_does():
    text = '{"a": [1, {"b": null, "c": "中文"}], "d": 2.5, "e": {}}'
    assert strict_json.loads(text) == json.loads(text)
    assert strict_json.loads('[{"a": 1}, {"a": 2}]') == [{"a": 1}, {"a": 2}]  # one key per object, not per body
    with pytest.raises(json.JSONDecodeError):
        strict_json.loads("{not json")
