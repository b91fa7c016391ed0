"""`yekuo serve`: the web server (gunicorn) on 127.0.0.1:PORT."""

import os
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve yekuo with gunicorn (web). Background workers join here as they are added."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))

    def handle(self, *args, host, port, workers, **options):
        self.stdout.write(f"yekuo: serving on http://{host}:{port}/")
        sys.stdout.flush()
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
        ]
        os.execv(sys.executable, argv)
