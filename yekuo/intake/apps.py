from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    """Channels (R1), signed platform pushes and the dispatch queue (R3)."""

    name = "yekuo.intake"
    label = "intake"
    verbose_name = _("平台接入与审核派单")

    def ready(self):
        from django.db.models.signals import post_save

        from yekuo.intake.credentials import platforms_forget
        from yekuo.intake.models import Platform

        post_save.connect(platforms_forget, sender=Platform, dispatch_uid="intake-platforms-forget")

        # R3: a queued order is received by dispatch only (answered 409 awaiting_dispatch by the API).
        from yekuo.common.api import STATUS_OF_CODE
        from yekuo.intake.selectors import receipt_check
        from yekuo.orders import gates

        gates.register_receipt(receipt_check)
        STATUS_OF_CODE.setdefault("awaiting_dispatch", 409)

        # The platforms' callback destinations (outbox): seeded by `yekuo outbox seed` at
        # YEKUO_PLATFORM_CALLBACK_URL + "/<code>" (the platform simulator's default), edited in the admin.
        from yekuo.intake.platforms import KNOWN
        from yekuo.outbox import seed

        for code, (name, _channel, _route) in KNOWN.items():
            seed.DEFAULTS.setdefault(code, (name, "http_json", "YEKUO_PLATFORM_CALLBACK_URL", f"/{code}"))
