from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "yekuo.exports"
    label = "exports"
