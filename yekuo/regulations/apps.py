from django.apps import AppConfig


class RegulationsConfig(AppConfig):
    name = "yekuo.regulations"
    label = "regulations"
    verbose_name = "时限规定 Regulations"
