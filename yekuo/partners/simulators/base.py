"""What the simulators share: a threaded stdlib HTTP server, JSON answers, failure modes, clean stop."""

from __future__ import annotations

import json
import random
import signal
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class SimulatorHandler(BaseHTTPRequestHandler):
    """Subclasses implement `get(path)` / `post(path, body)` returning (status, object)."""

    server_version = "yekuo-simulator"
    options: dict = {}

    def log_message(self, fmt, *args):
        if not self.options.get("quiet"):
            sys.stdout.write(f"[{self.name}] {self.address_string()} {fmt % args}\n")
            sys.stdout.flush()

    def _fail(self) -> bool:
        """The configured failure, if this request gets one: True when it has been answered (or dropped)."""
        mode = self.options.get("mode", "ok")
        delay = float(self.options.get("delay") or 0)
        if delay or mode == "slow":
            time.sleep(delay or 30)
        if mode == "garbage":
            self.wfile.write(b"\x00\x01 not http at all\r\n\r\n")
            return True
        if mode == "error" or random.random() < float(self.options.get("fail_rate") or 0):
            self.answer(500, {"error": "simulated failure"})
            return True
        return False

    def answer(self, status: int, data) -> None:
        body = json.dumps(data, ensure_ascii=False).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client gave up waiting
            pass

    def do_GET(self):
        if self._fail():
            return
        self.answer(*self.get(self.path))

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self._fail():
            return
        self.answer(*self.post(self.path, body))

    def get(self, path: str):
        return 404, {"error": "not found"}

    def post(self, path: str, body: bytes):
        return 404, {"error": "not found"}


def make_server(handler: type[SimulatorHandler], host: str, port: int, **options) -> ThreadingHTTPServer:
    bound = type(handler.__name__, (handler,), {"options": options})
    server = ThreadingHTTPServer((host, port), bound)
    server.daemon_threads = True
    return server


def serve_forever(server: ThreadingHTTPServer, name: str) -> None:
    """Serve until SIGTERM or SIGINT, then close the socket."""

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    host, port = server.server_address[:2]
    sys.stdout.write(f"yekuo simulator {name}: listening on http://{host}:{port}/\n")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def add_service_arguments(parser, url_setting: str) -> None:
    """The options every service simulator takes (`yekuo simulate NAME --help`)."""
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=None, help=f"default: the port of {url_setting}")
    parser.add_argument("--mode", choices=["ok", "error", "slow", "garbage"], default="ok",
                        help="answer normally, 500, too late, or with bytes that are not HTTP")  # fmt: skip
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument("--fail-rate", type=float, default=0.0, help="share of requests answered 500")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")


def run_command(serve, url_setting: str, options: dict, extra: tuple[str, ...] = ()) -> None:
    """Serve on --port, by default the port of the URL yekuo calls this service at."""
    from urllib.parse import urlsplit

    from django.conf import settings

    port = options.get("port") or urlsplit(getattr(settings, url_setting)).port
    keep = {k: options.get(k) for k in ("mode", "delay", "fail_rate", "quiet", *extra)}
    serve(options.get("host") or "127.0.0.1", port, **keep)
