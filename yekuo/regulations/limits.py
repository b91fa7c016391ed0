"""Time limits in working days: fixed, or selected by a condition (I2: approval "0/3" by low_risk)."""

from collections.abc import Mapping
from dataclasses import dataclass

from yekuo.common.errors import InvalidInput


def number(days: float) -> int | float:
    return int(days) if float(days).is_integer() else days


@dataclass(frozen=True)
class Limit:
    """A time limit in working days, fixed or selected by a condition (I2: approval "0/3" by low_risk)."""

    value: float | None = None
    by: str | None = None
    values: tuple[tuple[str, float], ...] = ()

    def days(self, conditions: Mapping[str, object] | None = None) -> float:
        """The limit under `conditions` ({"low_risk": True}); an undecided condition is "pending"."""
        if self.by is None:
            return self.value
        decided = (conditions or {}).get(self.by, "pending")
        key = str(decided).lower() if isinstance(decided, bool) else str(decided)
        for name, days in self.values:
            if name == key:
                return days
        raise InvalidInput(f"condition {self.by} has no value {decided!r}", field=self.by)

    def display(self) -> str:
        """As the notice prints it: "0.5", or "0/3" for the decided values of a condition."""
        if self.by is None:
            return str(number(self.value))
        return "/".join(str(number(days)) for name, days in self.values if name != "pending")

    def to_content(self):
        if self.by is None:
            return number(self.value)
        return {"by": self.by, **{name: number(days) for name, days in self.values}}
