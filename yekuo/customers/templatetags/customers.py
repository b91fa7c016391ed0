"""The order page's part of the customer pages (R1): what the customer chose and uploaded online."""

from django import template

register = template.Library()


@register.inclusion_tag("customers/_order_online.html")
def online_application(order) -> dict:
    from yekuo.customers.models import OnlineApplication

    return {
        "online": OnlineApplication.objects.filter(order=order).first(),
        "documents": list(order.customer_documents.all()),
    }
