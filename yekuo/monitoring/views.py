"""The inbox page (站内消息) and the user's channel choice (R10)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from yekuo.monitoring.notify import CHANNELS, channels_of
from yekuo.monitoring.rules import rule_book
from yekuo.monitoring.selectors import inbox_of, unread_count
from yekuo.monitoring.services import channels_set, inbox_mark_read

PAGE_SIZE = 30


@login_required
@require_http_methods(["GET"])
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(inbox_of(request.user, unread_only), PAGE_SIZE).get_page(request.GET.get("page"))
    levels = rule_book().levels
    for message in page:
        level = levels.get(message.level)
        message.level_name = level.name if level else ""
        message.alarm = bool(level and level.alarm)
    chosen = set(channels_of(request.user))
    return render(request, "monitoring/inbox.html", {
        "page": page, "unread_only": unread_only, "unread": unread_count(request.user),
        "channels": [(code, name, code in chosen) for code, name in CHANNELS.items()],
    })  # fmt: skip


@login_required
@require_POST
def inbox_read(request):
    raw = request.POST.getlist("id")
    ids = [int(v) for v in raw if v.isdigit()] if raw else None
    inbox_mark_read(request.user, ids)
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else "inbox")


@login_required
@require_POST
def inbox_channels(request):
    channels_set(request.user, [c for c in request.POST.getlist("channel") if c in CHANNELS])
    messages.success(request, _("通知渠道已保存"))
    return redirect("inbox")
