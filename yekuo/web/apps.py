from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "yekuo.web"
    label = "web"
