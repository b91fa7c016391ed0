"""Typed field readers for regulation content that fail with the file, the dotted path and the problem."""

import math
from datetime import date, datetime

from yekuo.common.errors import FileFormatError
from yekuo.regulations.codes import CONDITIONS, LIMIT_STEP
from yekuo.regulations.limits import Limit


class Reader:
    """Field readers that fail with the file's name and the dotted path of the field."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, where: str, problem: str):
        raise FileFormatError(self.source, where or "(top)", problem)

    def table(self, value, where: str, required=(), optional=()) -> dict:
        if not isinstance(value, dict):
            self.fail(where, f"must be a table, not {type(value).__name__}")
        allowed = (*required, *optional)
        for key in value:
            if key not in allowed:
                self.fail(f"{where}.{key}".lstrip("."), f"unknown field; expected one of: {', '.join(allowed)}")
        for key in required:
            if key not in value:
                self.fail(f"{where}.{key}".lstrip("."), "missing required field")
        return value

    def mapping(self, value, where: str) -> dict:
        """A table whose keys are codes (nodes, clocks, stages…): any key, checked by the caller."""
        if not isinstance(value, dict):
            self.fail(where, f"must be a table, not {type(value).__name__}")
        return value

    def text(self, data: dict, key: str, where: str, default: str | None = None) -> str:
        path = f"{where}.{key}".lstrip(".")
        if key not in data:
            if default is None:
                self.fail(path, "missing required field")
            return default
        value = data[key]
        if not isinstance(value, str) or (default is None and not value.strip()):
            self.fail(path, "must be a non-empty string" if default is None else "must be a string")
        return value

    def flag(self, data: dict, key: str, where: str, default: bool | None = None) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.fail(f"{where}.{key}".lstrip("."), "must be true or false")
        return value

    def code(self, value, where: str, known, what: str, hint: str = "") -> str:
        if not isinstance(value, str):
            self.fail(where, f"must be a {what} code (a string)")
        if value not in known:
            self.fail(where, f"unknown {what} {value!r}; known: {', '.join(known)}{hint}")
        return value

    def codes(self, value, where: str, known, what: str) -> tuple[str, ...]:
        if not isinstance(value, list):
            self.fail(where, f"must be a list of {what} codes")
        seen = []
        for i, item in enumerate(value):
            code = self.code(item, f"{where}[{i}]", known, what)
            if code in seen:
                self.fail(f"{where}[{i}]", f"{what} {code!r} is listed twice")
            seen.append(code)
        return tuple(seen)

    def days(self, value, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self.fail(where, f"must be a number of working days, not {value!r}")
        if value < 0:
            self.fail(where, f"{value} is negative; a limit is 0 or more working days")
        if not (value / LIMIT_STEP).is_integer():
            self.fail(where, f"{value} is not a multiple of {LIMIT_STEP} working day")
        return float(value)

    def limit(self, value, where: str) -> Limit:
        if not isinstance(value, dict):
            return Limit(value=self.days(value, where))
        by = self.code(value.get("by"), f"{where}.by", CONDITIONS, "condition")
        names = CONDITIONS[by]["values"]
        for key in value:
            if key != "by" and key not in names:
                self.fail(f"{where}.{key}", f"unknown value of condition {by}; expected: {', '.join(names)}")
        missing = [name for name in names if name not in value]
        if missing:
            self.fail(where, f"no limit for {by} = {', '.join(missing)}; give one for each of {', '.join(names)}")
        return Limit(by=by, values=tuple((name, self.days(value[name], f"{where}.{name}")) for name in names))

    def effective_date(self, value, where: str) -> date:
        # A TOML date parses to `date`; stored content carries it as an ISO string.
        if isinstance(value, datetime):
            self.fail(where, f"{value} is a date-time; write a date like 2022-07-17")
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(where, f"{value!r} is not a date like 2022-07-17")
