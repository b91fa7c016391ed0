"""Remember reference look-ups for the length of one unit of work (a batch of events, a request).

Outside `remembering()`, a decorated function runs every time, as it must: the calendar revision and
the regulation in force are read afresh by every action. Inside, the same arguments give the same
answer without another query — a batch of 1,000 events needs the calendar revision once, not 1,000
times, and nothing it does can change it.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

_scope: ContextVar[dict | None] = ContextVar("yekuo_memo", default=None)


@contextmanager
def remembering() -> Iterator[None]:
    token = _scope.set({} if _scope.get() is None else _scope.get())
    try:
        yield
    finally:
        _scope.reset(token)


def remembered(function: Callable) -> Callable:
    @wraps(function)
    def wrapper(*args, **kwargs):
        memo = _scope.get()
        if memo is None:
            return function(*args, **kwargs)
        key = (function.__module__, function.__qualname__, args, tuple(sorted(kwargs.items())))
        if key not in memo:
            memo[key] = function(*args, **kwargs)
        return memo[key]

    return wrapper
