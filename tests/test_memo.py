from yekuo.common.memo import remembered, remembering

calls = []


@remembered
def lookup(code, *, suffix=""):
    calls.append(code)
    return code + suffix


def test_remembered_only_inside_a_scope():
    calls.clear()
    assert lookup("a") == "a" and lookup("a") == "a"
    assert calls == ["a", "a"]  # outside a scope: every call runs
    with remembering():
        assert lookup("b", suffix="!") == "b!" and lookup("b", suffix="!") == "b!" and lookup("b") == "b"
        with remembering():  # a nested scope shares the outer one
            lookup("b", suffix="!")
    assert calls == ["a", "a", "b", "b"]
    lookup("b")
    assert calls[-1] == "b" and len(calls) == 5  # the scope is gone
