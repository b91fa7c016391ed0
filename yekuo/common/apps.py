from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "yekuo.common"
    label = "common"
