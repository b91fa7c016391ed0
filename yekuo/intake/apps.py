from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    """Channels (R1), signed platform pushes and the dispatch queue (R3)."""

    name = "yekuo.intake"
    label = "intake"
    verbose_name = _("平台接入与审核派单")
