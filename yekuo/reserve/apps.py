from django.apps import AppConfig


class ReserveConfig(AppConfig):
    name = "yekuo.reserve"
    label = "reserve"
    verbose_name = "储备库 Reserve library"

    def ready(self) -> None:
        from yekuo.orders import hooks
        from yekuo.reserve import matching

        hooks.register(matching.order_created)  # R5: a new order is matched against the open projects on commit
