from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "yekuo.orders"
    label = "orders"
    verbose_name = "业扩工单 Work orders"

    def ready(self):
        from yekuo.orders.recompute import start_recompute
        from yekuo.workcal.signals import calendar_changed

        calendar_changed.connect(start_recompute, dispatch_uid="orders-recompute")
