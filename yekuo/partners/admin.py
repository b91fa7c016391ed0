"""Admin: the questions put to partner services (R2), read only, with a retry for those that gave up."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from yekuo.partners import services
from yekuo.partners.models import Verification


@admin.action(description=_("重新核验所选项"))
def retry_selected(modeladmin, request, queryset):
    count = services.verification_reopen(queryset.values_list("pk", flat=True))
    modeladmin.message_user(request, _("%(count)d 项已重新等待核验。") % {"count": count}, messages.SUCCESS)


@admin.register(Verification)
class VerificationAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "subject", "order", "state", "attempts", "fetched_at", "next_attempt_at",
                    "last_error")  # fmt: skip
    list_filter = ("state", "kind")
    search_fields = ("subject", "order__number")
    list_select_related = ("order",)
    actions = [retry_selected]
    readonly_fields = [f.name for f in Verification._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
