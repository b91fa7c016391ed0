from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "yekuo.monitoring"
    label = "monitoring"
    verbose_name = "时限监控"
