from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "yekuo.outbox"
    label = "outbox"

    def ready(self):
        # The built-in transports register themselves on import (transports.py).
        from yekuo.outbox import transports  # noqa: F401
