from django.apps import AppConfig


class CustomersConfig(AppConfig):
    """The customer's own pages (R1 一网办·掌上办·一次办): apply online, follow progress, the acceptance slip."""

    name = "yekuo.customers"
    label = "customers"
