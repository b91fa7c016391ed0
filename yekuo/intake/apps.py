from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    """Channels (R1), signed platform pushes and the dispatch queue (R3)."""

    name = "yekuo.intake"
    label = "intake"
    verbose_name = _("平台接入与审核派单")

    def ready(self):
        # The platforms' callback destinations (outbox): seeded by `yekuo outbox seed` at
        # YEKUO_PLATFORM_CALLBACK_URL + "/<code>" (the platform simulator's default), edited in the admin.
        from yekuo.intake.platforms import KNOWN
        from yekuo.outbox import seed

        for code, (name, _channel, _route) in KNOWN.items():
            seed.DEFAULTS.setdefault(code, (name, "http_json", "YEKUO_PLATFORM_CALLBACK_URL", f"/{code}"))
