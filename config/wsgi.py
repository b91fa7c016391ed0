import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

if settings.YEKUO_WARM_UP:  # YEKUO_WARM_UP, read by config/env.py's boolean parser (false, 0, no, off: off)
    from django.db import connections

    from yekuo.orders.warmup import warm_up

    warm_up()  # the URLconf, work tables and regulations, before the first request (yekuo/orders/warmup.py)
    connections.close_all()  # with --preload this runs in gunicorn's master: no worker may inherit its connection
