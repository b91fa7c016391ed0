"""How a clock reads (O5): a zero-day clock (I3) counts the working time left today."""

from yekuo.orders import services
from yekuo.orders.models import Clock
from yekuo.web.presenters import clock_row, spec_of
from yekuo.web.tests.helpers import IMPORT, complete, make_order
from yekuo.workcal.tests.conftest import at


def test_a_zero_day_clock_shows_the_working_time_left_today(cast):
    order = make_order(cast, category="lv_business", when="2026-11-02 09:00")
    complete(order, cast.clerk, "acceptance", "2026-11-02 10:00")
    complete(order, cast.customer_manager, "survey_plan", "2026-11-02 11:00")
    services.approval_decide(order, actor=cast.project_manager, low_risk=True, occurred_at=at("2026-11-02 11:30"),
                             source=IMPORT)  # fmt: skip
    clock = Clock.objects.select_related("order__branch__company").get(order=order, code="approval")
    table = services.table_for(order)
    row = clock_row(clock, spec_of(order), at("2026-11-02 15:00"), table)
    assert clock.deadline_at == at("2026-11-02 18:00")
    assert row.limit == "0 工作日（即办，当日办结）"
    assert row.remaining_text == "今日剩余 3 小时" and row.zero_day  # 15:00 → 18:00
    morning = clock_row(clock, spec_of(order), at("2026-11-02 11:45"), table)
    assert morning.remaining_text == "今日剩余 3 小时 45 分"  # 11:45–12:00 and 14:30–18:00
    late = clock_row(clock, spec_of(order), at("2026-11-03 09:00"), table)
    assert late.remaining_text == "" and late.overrun and late.colour == "danger"


def test_a_zero_day_clock_resumed_late_is_not_due_today(cast):
    """I3 after I5: paused at 15:00 with three hours left and resumed at 17:00 the next day, the approval is due
    the morning after; its two and a half hours at 17:30 are not "left today"."""
    order = make_order(cast, category="lv_business", when="2026-11-02 09:00")
    complete(order, cast.clerk, "acceptance", "2026-11-02 10:00")
    complete(order, cast.customer_manager, "survey_plan", "2026-11-02 11:00")
    services.approval_decide(order, actor=cast.project_manager, low_risk=True, occurred_at=at("2026-11-02 11:30"),
                             source=IMPORT)  # fmt: skip
    services.order_suspend(order, actor=cast.clerk, reason_code="customer_request", evidence_note="客户来函",
                           occurred_at=at("2026-11-02 15:00"), source=IMPORT)  # fmt: skip
    table = services.table_for(order)
    clock = Clock.objects.select_related("order__branch__company").get(order=order, code="approval")
    assert clock_row(clock, spec_of(order), at("2026-11-03 10:00"), table).remaining_text == "3 小时"
    services.order_resume(order, actor=cast.clerk, occurred_at=at("2026-11-03 17:00"), source=IMPORT)
    clock.refresh_from_db()
    assert clock.deadline_at.date() == at("2026-11-04 12:00").date()
    row = clock_row(clock, spec_of(order), at("2026-11-03 17:30"), table)
    assert row.remaining_text == "剩余 2 小时 30 分" and row.zero_day
