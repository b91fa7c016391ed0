"""`yekuo serve`: the web server (gunicorn) and the background worker (Huey's consumer), together."""

import importlib
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from yekuo.common import migrated

# A Unix socket's path has room for 107 bytes on Linux (sun_path).
MAX_SOCKET_PATH = 107


def control_socket() -> list[str]:
    """gunicorn's control socket in YEKUO_DATA_DIR, one per yekuo: its default, ~/.gunicorn/gunicorn.ctl, is
    shared by every gunicorn the same user runs on the host, so one server's control commands would reach
    another's. A data directory too deep for a socket path gets none (gunicorn runs the same without it)."""
    path = settings.DATA_DIR / "gunicorn.ctl"
    if len(os.fsencode(path)) > MAX_SOCKET_PATH:
        return ["--no-control-socket"]
    return ["--control-socket", str(path)]


def simulator_commands(host: str, port: int) -> list[list[str]]:
    """`yekuo simulate NAME` for each partner service simulator (one with `serve`) when YEKUO_SIMULATORS is on;
    the units' simulator answers to this yekuo. The platform simulator is a client that pushes applications:
    it is run by hand (`yekuo simulate platform --url …`), never started with the server."""
    if not settings.YEKUO_SIMULATORS:
        return []
    from yekuo.partners.management.commands.simulate import SIMULATORS

    yekuo_url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    return [
        [sys.executable, "-m", "yekuo.cli", "simulate", name, "--quiet",
         *(["--yekuo-url", yekuo_url] if name == "utilities" else [])]
        for name, path in SIMULATORS.items()
        if hasattr(importlib.import_module(path), "serve")
    ]  # fmt: skip


class Command(BaseCommand):
    help = "Serve yekuo: gunicorn on HOST:PORT and the Huey consumer; stops both on SIGINT/SIGTERM."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.YEKUO_HOST, help="default: HOST, else 127.0.0.1")
        parser.add_argument("--port", type=int, default=settings.YEKUO_PORT, help="default: PORT, else 8000")
        parser.add_argument(
            "--workers", type=int, default=settings.YEKUO_WEB_WORKERS, help="web processes (default: WEB_WORKERS)"
        )
        parser.add_argument("--no-worker", action="store_true", help="Web only (run `yekuo run_huey` elsewhere)")

    def handle(self, *args, host, port, workers, no_worker, **options):
        not_migrated = migrated.check_migrated()
        if not_migrated:  # every page would answer 503: say what to run instead of serving them
            raise CommandError(f"{migrated.CODE}: {not_migrated}", returncode=2)
        web = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"{host}:{port}",
               "--workers", str(workers), "--preload", "--access-logfile", "-", *control_socket()]  # fmt: skip
        worker = [sys.executable, "-m", "yekuo.cli", "run_huey"]
        children: list[subprocess.Popen] = []
        asked_to_stop = []

        def stop(signum, frame):
            asked_to_stop.append(signum)
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        # Handlers first, so that a stop asked for while the children start is not lost.
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        children.append(subprocess.Popen(web))
        if not no_worker:
            children.append(subprocess.Popen(worker))
        # The demo's partner simulators (YEKUO_SIMULATORS; docs/partners.md): stopped with yekuo, but not watched,
        # since a simulator that could not start (its port taken) leaves yekuo itself working.
        simulators = [subprocess.Popen(command) for command in simulator_commands(host, port)]
        self.stdout.write(f"yekuo: serving on http://{host}:{port}/" + ("" if no_worker else " with a worker"))
        self.stdout.flush()
        # When either stops, stop the other: a web without its worker (or the reverse) is not yekuo.
        while not asked_to_stop and all(child.poll() is None for child in children):
            time.sleep(0.5)
        stopped_by_us = bool(asked_to_stop)
        stop(None, None)
        for simulator in simulators:
            if simulator.poll() is None:
                simulator.send_signal(signal.SIGTERM)
        codes = [child.wait(timeout=30) for child in children]
        for simulator in simulators:
            simulator.wait(timeout=30)
        # A child that has not yet installed its own handler (Huey sets its handlers only after it has logged its
        # start) dies of the SIGTERM we send it: when the stop was asked for, that is a clean stop, not a failure.
        if stopped_by_us:
            codes = [0 if code == -signal.SIGTERM else code for code in codes]
        sys.exit(next((code for code in codes if code), 0))
