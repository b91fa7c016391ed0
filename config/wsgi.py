import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

if os.environ.get("YEKUO_WARM_UP", "1") != "0":
    from django.db import connections

    from yekuo.orders.warmup import warm_up

    warm_up()  # the URLconf, work tables and regulations, before the first request (yekuo/orders/warmup.py)
    connections.close_all()  # with --preload this runs in gunicorn's master: no worker may inherit its connection
