"""The check of back-dated entries by a second person (I5): listed per scope until checked."""

import pytest

from yekuo.common.errors import Forbidden, InvalidInput
from yekuo.orders import services
from yekuo.orders.entry_review import awaiting_check, entry_review
from yekuo.orders.models import EventSource
from yekuo.web.tests.helpers import make_order
from yekuo.workcal.tests.conftest import at

WEB = EventSource.WEB


def late_completion(cast, branch=None):
    """An order whose acceptance was completed on the page a month after the fact, with a reason."""
    order = make_order(cast, when="2026-09-29 09:00", branch=branch)
    clerk = cast.clerk if branch is None else cast.west_clerk
    services.node_complete(order, actor=clerk, node="acceptance", occurred_at=at("2026-09-29 10:00"), source=WEB,
                           reason="纸质受理单补录")  # fmt: skip
    return order, order.events.get(type="node.completed")


def test_a_back_dated_entry_waits_for_its_check_in_its_branch(cast):
    order, entry = late_completion(cast)
    _, west = late_completion(cast, branch=cast.west)
    assert entry.backdated and awaiting_check(cast.branch_manager) == [entry]
    assert awaiting_check(cast.west_branch_manager) == [west]
    assert set(awaiting_check(cast.dispatcher)) == {entry, west}
    assert awaiting_check(cast.clerk) == []  # not a reviewer
    with pytest.raises(Forbidden, match="second person"):
        entry_review(order, actor=cast.clerk, seq=entry.seq, approved=True)
    with pytest.raises(Forbidden):  # another branch
        entry_review(order, actor=cast.west_branch_manager, seq=entry.seq, approved=True)
    with pytest.raises(InvalidInput, match="needs a note"):
        entry_review(order, actor=cast.branch_manager, seq=entry.seq, approved=False)
    entry_review(order, actor=cast.branch_manager, seq=entry.seq, approved=False, note="受理单日期为10月")
    assert awaiting_check(cast.branch_manager) == []
    verdict = order.events.get(type="entry.reviewed")
    assert verdict.payload == {"seq": entry.seq, "approved": False, "note": "受理单日期为10月"}
    with pytest.raises(InvalidInput, match="already reviewed"):
        entry_review(order, actor=cast.dispatcher, seq=entry.seq, approved=True)
