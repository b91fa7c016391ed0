from django.apps import AppConfig


class CustomersConfig(AppConfig):
    """The customer's own pages (R1 一网办·掌上办·一次办): apply online, follow progress, the acceptance slip."""

    name = "yekuo.customers"
    label = "customers"

    def ready(self):
        from yekuo.customers.notify import send_notice
        from yekuo.customers.services import PLATFORM_CODE, SMS_DESTINATION
        from yekuo.outbox import seed, transports

        # The `online` platform's callbacks become SMS to the customer (notify.py); `yekuo outbox seed` points
        # both destinations at the SMS gateway (the simulator of `yekuo simulate sms` locally).
        transports.register("customer_notice", send_notice)
        notices = ("网上自助办电（客户短信通知）", "customer_notice", "YEKUO_SMS_URL", "/sms")
        seed.DEFAULTS.setdefault(PLATFORM_CODE, notices)
        seed.DEFAULTS.setdefault(SMS_DESTINATION, ("客户短信网关", "sms", "YEKUO_SMS_URL", "/sms"))
