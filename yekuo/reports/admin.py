from django.contrib import admin

from yekuo.reports.models import CustomerFee


@admin.register(CustomerFee)
class CustomerFeeAdmin(admin.ModelAdmin):
    """Read-only: fees are recorded through `services.fee_record` and never changed (a correction is a row)."""

    list_display = ("order", "item", "amount", "charged_at", "recorded_by", "recorded_at")
    list_filter = ("item",)
    search_fields = ("order__number",)
    raw_id_fields = ("order",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
