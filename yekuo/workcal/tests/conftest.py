from datetime import datetime

import pytest

from yekuo.workcal.engine import SHANGHAI


def at(text: str) -> datetime:
    """'2026-09-30 16:00' in Asia/Shanghai."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def table(db):
    from yekuo.workcal.selectors import work_table

    return work_table()
