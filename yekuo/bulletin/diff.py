"""What changed between two revisions of a month's bulletin (R12: a new revision keeps the old and says
what changed). The snapshots are flattened into paths → values, where a list of rows is keyed by the
fields that name a row (branch, category, node, order, clock, rule…) rather than by its position, so that
a row added in the middle reads as one added row, not as every later row changed."""

from __future__ import annotations

import hashlib
import json
from operator import itemgetter

# Fields that identify a row of a list, in the order they are joined into its key.
KEY_FIELDS = ("branch", "category", "node", "order", "order_number", "clock", "rule", "code")
# Lists of problem orders: a row is one value (its fields as compact JSON), so a month whose thousands of
# overdue orders changed lists one change per order, not one per field. Such a list runs to 200,000 rows at a
# million orders: its rows are compared by key and then as values (`_Row`), and only the rows that differ are
# written as JSON.
WHOLE_ROWS = ("overdue", "findings")
# When a part was computed is not a figure: two runs over the same orders are the same bulletin.
IGNORED = ("generated_at", "computed_at")


def _row_key(row: dict, index: int) -> str:
    parts = [f"{field}={row[field]}" for field in KEY_FIELDS if field in row and not isinstance(row[field], dict)]
    return "[" + ",".join(parts) + "]" if parts else f"[{index}]"


class _RowKeys:
    """`_row_key` for the rows of one list, which have the same fields as a rule: the naming fields found once
    per set of fields, each key then one format (a list of 200,000 overdue orders is keyed in C, not field by
    field in Python)."""

    def __init__(self):
        self.fields = None

    def __call__(self, row: dict, index: int) -> str:
        if self.fields is None or row.keys() != self.fields:
            self.fields = row.keys()
            named = [field for field in KEY_FIELDS if field in row]
            self.get = itemgetter(*named) if len(named) > 1 else (lambda r, f=tuple(named): tuple(r[k] for k in f))
            self.template = "[" + ",".join(f"{field}={{}}" for field in named) + "]"
            self.named = bool(named)
        if not self.named:
            return f"[{index}]"
        values = self.get(row)
        if dict in map(type, values):
            return _row_key(row, index)
        return self.template.format(*values)


def flatten(value, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            if key in IGNORED:
                continue
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        seen: dict[str, int] = {}
        row_key = _RowKeys()
        for index, item in enumerate(value):
            key = row_key(item, index)
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > 1:  # two rows with the same names (two findings of one rule on one order)
                key = f"{key}#{seen[key]}"
            if prefix in WHOLE_ROWS:
                out[prefix + key] = _Row(item)
            else:
                out.update(flatten(item, prefix + key))
    else:
        out[prefix] = value
    return out


def checksum(snapshot: dict) -> str:
    """sha256 of the snapshot's figures (its generation time left out): equal figures, equal checksum."""
    text = json.dumps(_figures(snapshot), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _figures(value):
    if isinstance(value, dict):
        return {k: _figures(v) for k, v in value.items() if k not in IGNORED}
    if isinstance(value, list):
        return [_figures(v) for v in value]
    return value


class _Row:
    """A row of a WHOLE_ROWS list: equal to another when their figures are equal as values (both are JSON
    values from a snapshot, so this is comparing their JSON without writing it, but for a number whose JSON
    type alone changed, 1 → 1.0, which is not a change of figure); `text()` is its JSON, for a row that
    changed."""

    __slots__ = ("row",)

    def __init__(self, row: dict):
        plain = IGNORED_KEYS.isdisjoint(row) and dict not in map(type, row.values())
        self.row = row if plain else _figures(row)

    def __eq__(self, other) -> bool:
        return isinstance(other, _Row) and self.row == other.row

    __hash__ = None

    def text(self) -> str:
        return json.dumps(_figures(self.row), ensure_ascii=False, sort_keys=True)


IGNORED_KEYS = frozenset(IGNORED)


def _text(value):
    return value.text() if isinstance(value, _Row) else value


def changes(old: dict, new: dict) -> list[dict]:
    """[{path, old, new}] for each figure added, removed or changed, in path order."""
    before, after = flatten(old), flatten(new)
    result = []
    for path in sorted(before.keys() | after.keys()):
        if before.get(path, _MISSING) != after.get(path, _MISSING) or (path in before) != (path in after):
            result.append({"path": path, "old": _text(before.get(path)), "new": _text(after.get(path))})
    return result


_MISSING = object()
