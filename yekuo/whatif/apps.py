from django.apps import AppConfig


class WhatIfConfig(AppConfig):
    name = "yekuo.whatif"
    label = "whatif"
    verbose_name = "推演与过程挖掘 What-if and process mining"
