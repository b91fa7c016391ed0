"""Admin: destinations (data, editable), messages with their deliveries and attempts (read only), and the list
of failed deliveries with a retry action (R4: an administrator sees failed deliveries and retries them)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from yekuo.outbox import services
from yekuo.outbox.models import Attempt, Delivery, DeliveryState, Destination, FailedDelivery, Message


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Destination)
class DestinationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "transport", "url", "address", "enabled", "timeout_s", "max_attempts")
    list_filter = ("enabled", "transport")
    search_fields = ("code", "name", "url", "address")

    def has_delete_permission(self, request, obj=None):
        return False  # its deliveries keep it; disable it instead


class AttemptInline(ReadOnly, admin.TabularInline):
    model = Attempt
    fields = ("number", "started_at", "duration_ms", "ok", "status", "response_excerpt", "error")
    extra = 0


class DeliveryInline(ReadOnly, admin.TabularInline):
    model = Delivery
    fields = ("destination", "state", "attempts", "next_attempt_at", "delivered_at", "last_status", "last_error")
    extra = 0


@admin.register(Message)
class MessageAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("id", "kind", "order", "key", "created_at")
    list_filter = ("kind",)
    search_fields = ("=id", "key", "kind", "order__number")
    date_hierarchy = "created_at"
    inlines = [DeliveryInline]

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj)


@admin.action(description=_("立即重试所选投递"))
def retry_selected(modeladmin, request, queryset):
    count = services.retry(list(queryset.values_list("pk", flat=True)))
    modeladmin.message_user(
        request,
        ngettext("%(count)d 条投递已重新排队。", "%(count)d 条投递已重新排队。", count) % {"count": count},
        messages.SUCCESS,
    )


class DeliveryAdminBase(ReadOnly, admin.ModelAdmin):
    list_display = ("id", "message_kind", "order", "destination", "state", "attempts", "last_status", "last_error",
                    "next_attempt_at", "delivered_at")  # fmt: skip
    list_filter = ("state", "destination")
    search_fields = ("=message__id", "message__key", "message__order__number", "destination__code")
    list_select_related = ("message__order", "destination")
    inlines = [AttemptInline]
    actions = [retry_selected]
    readonly_fields = ("message", "destination", "state", "attempts", "next_attempt_at", "delivered_at",
                       "last_status", "last_error", "answered_at", "answer")  # fmt: skip

    def has_change_permission(self, request, obj=None):
        # The retry action needs the change permission; the rows themselves stay read only (readonly_fields).
        return request.user.has_perm("outbox.change_delivery")

    @admin.display(description=_("类型"))
    def message_kind(self, delivery):
        return delivery.message.kind

    @admin.display(description=_("工单"))
    def order(self, delivery):
        return delivery.message.order.number if delivery.message.order_id else "—"


@admin.register(Delivery)
class DeliveryAdmin(DeliveryAdminBase):
    pass


@admin.register(FailedDelivery)
class FailedDeliveryAdmin(DeliveryAdminBase):
    list_filter = ("destination",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(state=DeliveryState.FAILED)
