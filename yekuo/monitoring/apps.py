from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "yekuo.monitoring"
    label = "monitoring"
    verbose_name = "时限监控"

    def ready(self):
        from yekuo.monitoring.transports import register_all

        register_all()
