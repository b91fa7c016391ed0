from django.apps import AppConfig


class WorkcalConfig(AppConfig):
    name = "yekuo.workcal"
    label = "workcal"
    verbose_name = "工作日历 Working calendar"
