"""The order list as an Excel workbook (导出Excel): same filters and scope as the page, Chinese headers,
times in Asia/Shanghai (Excel has no time zones, so they are written as local wall-clock times)."""

from __future__ import annotations

import tempfile

from django.db.models import Prefetch
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.styles import Font

from yekuo.common.xlsx import cell, plain
from yekuo.orders.models import OrderStatus, Suspension
from yekuo.orders.selectors import clock_view, first_due, live_clocks, mask, time_split, with_current_work
from yekuo.orders.services import table_for
from yekuo.web import labels
from yekuo.web.presenters import spec_of

# Headers in Chinese (msgids), translated when the page's language is English; widths in characters.
COLUMNS = (
    (gettext_noop("工单编号"), 16),
    (gettext_noop("业务类别"), 14),
    (gettext_noop("受理渠道"), 16),
    (gettext_noop("供电分公司"), 16),
    (gettext_noop("营业区"), 14),
    (gettext_noop("客户名称"), 16),
    (gettext_noop("证件号码"), 22),
    (gettext_noop("联系电话"), 15),
    (gettext_noop("用电地址"), 30),
    (gettext_noop("申请容量(kVA)"), 12),
    (gettext_noop("供电电压"), 9),
    (gettext_noop("状态"), 12),
    (gettext_noop("当前节点"), 24),
    (gettext_noop("预警状态"), 9),
    (gettext_noop("当前期限"), 17),
    (gettext_noop("剩余工作日"), 11),
    (gettext_noop("创建时间"), 17),
    (gettext_noop("受理时间"), 17),
    (gettext_noop("办结时间"), 17),
    (gettext_noop("时限规定"), 16),
    (gettext_noop("供电企业用时(工作日)"), 12),
    (gettext_noop("客户用时(工作日)"), 12),
    (gettext_noop("历时(自然日)"), 11),
)
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
PROGRESS_EVERY = 200  # rows between two progress reports of a background export


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _alarm(order, view) -> str:
    """The row's warning state. A paused clock (the order suspended) says so, never 超期: its remaining time
    is frozen, and negative only when it ran out before the pause (as the list says, 暂停前已超期)."""
    if view is not None and view.state == "paused":
        return _("暂停（暂停前已超期）") if (view.remaining_seconds or 0) < 0 else str(labels.CLOCK_STATES["paused"])
    if getattr(order, "is_overdue", False):
        return str(labels.CLOCK_STATES["overdue"])
    if getattr(order, "is_warning", False):
        return str(labels.CLOCK_STATES["warning"])
    return ""


def write_workbook(orders, target, progress=None) -> int:
    """Write the (filtered, restricted) orders as a workbook into `target` (a path or a binary file); call
    `progress(rows_done)` every PROGRESS_EVERY rows. Returns the number of order rows."""
    # Every clock and suspension of each order, for its utility and customer time (I9); the live clocks are
    # picked from all of them rather than read again (bench/RESULTS.md, the export's rows per second).
    # Their keys order them: the models' default ordering would join each to its order to sort by creation.
    suspensions = Prefetch("suspensions", queryset=Suspension.objects.order_by("order_id", "position"))
    orders = with_current_work(orders, all_clocks=True).prefetch_related(suspensions)
    when = timezone.now()
    book = Workbook(write_only=True)  # rows go straight to disk: memory stays flat for big lists
    sheet = book.create_sheet(_("业扩工单"))
    for index, (_title, width) in enumerate(COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([cell(sheet, _(title), font=Font(bold=True)) for title, _width in COLUMNS])
    statuses = {code: str(label) for code, label in OrderStatus.choices}
    done = 0
    for order in orders.iterator(chunk_size=500):
        spec = spec_of(order)
        due = first_due(live_clocks(order.clocks.all()))
        view = clock_view(due, when, table_for(order)) if due else None
        # Open orders are measured up to now, as the page and the API say ("so far").
        split = time_split(order, when, table_for(order))
        row = (
            order.number,
            labels.category(order.category),
            labels.channel(order.channel),
            order.branch.name,
            order.service_area.name if order.service_area else "",
            order.customer_name,
            mask(order.customer_id_number),
            mask(order.customer_phone),
            order.site_address,
            float(order.capacity_kva),
            order.voltage,
            statuses.get(order.status, order.status),
            labels.join(labels.node(n.code, spec) for n in order.active_nodes),
            _alarm(order, view),
            _stamp(sheet, due.deadline_at if due else None),
            # Working days left on it, negative once overdue: a number, so that Excel can sort and filter it; a
            # paused clock's is frozen at its pause (the warning column says 暂停).
            round(view.remaining_seconds / view.day_seconds, 2) if view else None,
            _stamp(sheet, order.created_at),
            _stamp(sheet, order.received_at),
            _stamp(sheet, order.closed_at),
            order.regulation_code,
            split.utility_days,
            split.customer_days,
            split.calendar_days,
        )
        # Customer names and addresses are the customer's text: `plain` keeps them text, never a formula.
        sheet.append([plain(sheet, value) for value in row])
        done += 1
        if progress and done % PROGRESS_EVERY == 0:
            progress(done)
    book.save(target)
    return done


def _stamp(sheet, value):
    """A date-time cell in local wall-clock time, or None (an empty cell needs no format)."""
    return cell(sheet, _local(value), number_format=DATETIME_FORMAT) if value else None


def export_response(orders, filename: str) -> FileResponse:
    """Write the orders to a temporary file and stream it back (lists up to YEKUO_EXPORT_INLINE_ROWS rows)."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # deleted when the response closes it
    write_workbook(orders, handle)
    handle.seek(0)
    return xlsx_response(handle, filename)


def xlsx_response(handle, filename: str) -> FileResponse:
    return FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
