"""`yekuo serve`: the web server (gunicorn) and the background worker (Huey's consumer), together."""

import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve yekuo: gunicorn on HOST:PORT and the Huey consumer; stops both on SIGINT/SIGTERM."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        parser.add_argument("--no-worker", action="store_true", help="Web only (run `yekuo run_huey` elsewhere)")

    def handle(self, *args, host, port, workers, no_worker, **options):
        web = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"{host}:{port}",
               "--workers", str(workers), "--access-logfile", "-"]  # fmt: skip
        worker = [sys.executable, "-m", "yekuo.cli", "run_huey"]
        children = [subprocess.Popen(web)]
        if not no_worker:
            children.append(subprocess.Popen(worker))
        self.stdout.write(f"yekuo: serving on http://{host}:{port}/" + ("" if no_worker else " with a worker"))

        def stop(signum, frame):
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        # When either stops, stop the other: a web without its worker (or the reverse) is not yekuo.
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        stop(None, None)
        codes = [child.wait(timeout=30) for child in children]
        sys.exit(next((code for code in codes if code), 0))
