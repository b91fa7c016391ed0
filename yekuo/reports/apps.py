from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "yekuo.reports"
    label = "reports"
    verbose_name = "月度分析"
