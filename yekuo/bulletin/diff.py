"""What changed between two revisions of a month's bulletin (R12: a new revision keeps the old and says
what changed). The snapshots are flattened into paths → values, where a list of rows is keyed by the
fields that name a row (branch, category, node, order, clock, rule…) rather than by its position, so that
a row added in the middle reads as one added row, not as every later row changed."""

from __future__ import annotations

import hashlib
import json

# Fields that identify a row of a list, in the order they are joined into its key.
KEY_FIELDS = ("branch", "category", "node", "order", "order_number", "clock", "rule", "code")
# Lists of problem orders: a row is one value (its fields as compact JSON), so a month whose thousands of
# overdue orders changed lists one change per order, not one per field.
WHOLE_ROWS = ("overdue", "findings")
# When a part was computed is not a figure: two runs over the same orders are the same bulletin.
IGNORED = ("generated_at", "computed_at")


def _row_key(row: dict, index: int) -> str:
    parts = [f"{field}={row[field]}" for field in KEY_FIELDS if field in row and not isinstance(row[field], dict)]
    return "[" + ",".join(parts) + "]" if parts else f"[{index}]"


def flatten(value, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            if key in IGNORED:
                continue
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        seen: dict[str, int] = {}
        for index, item in enumerate(value):
            key = _row_key(item, index)
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > 1:  # two rows with the same names (two findings of one rule on one order)
                key = f"{key}#{seen[key]}"
            if prefix in WHOLE_ROWS:
                out[prefix + key] = json.dumps(_figures(item), ensure_ascii=False, sort_keys=True)
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


def changes(old: dict, new: dict) -> list[dict]:
    """[{path, old, new}] for each figure added, removed or changed, in path order."""
    before, after = flatten(old), flatten(new)
    result = []
    for path in sorted(before.keys() | after.keys()):
        if before.get(path, _MISSING) != after.get(path, _MISSING) or (path in before) != (path in after):
            result.append({"path": path, "old": before.get(path), "new": after.get(path)})
    return result


_MISSING = object()
