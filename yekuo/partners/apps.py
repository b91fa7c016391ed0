from django.apps import AppConfig


class PartnersConfig(AppConfig):
    """Partner services (R2 e-licence and identity verification; R4 joint utility application)."""

    name = "yekuo.partners"
    label = "partners"
