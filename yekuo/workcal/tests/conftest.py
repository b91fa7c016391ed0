from datetime import datetime

from yekuo.workcal.engine import SHANGHAI


def at(text: str) -> datetime:
    """'2026-09-30 16:00' in Asia/Shanghai."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)
