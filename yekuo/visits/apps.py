from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "yekuo.visits"
    label = "visits"
    verbose_name = "回访 Return visits"
