from django.apps import AppConfig


class PartnersConfig(AppConfig):
    """Partner services (R2 e-licence and identity verification; R4 joint utility application)."""

    name = "yekuo.partners"
    label = "partners"

    def ready(self):
        from yekuo.orders import gates
        from yekuo.partners.selectors import licence_locks

        gates.register_lock(licence_locks)  # R2: what the e-licence service returned is read-only
