from django.apps import AppConfig


class NormativityConfig(AppConfig):
    name = "yekuo.normativity"
    label = "normativity"
    verbose_name = "业务规范性 Normativity"
