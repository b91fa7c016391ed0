"""A real local HTTP receiver for tests of anything that sends through the outbox (stdlib, in a thread).

    with Receiver(mode="ok") as receiver:
        Destination.objects.create(code="x", url=receiver.url, secret="s")
        ...
        assert receiver.effects == 1

The receiver is idempotent by message id, as a partner must be: `hits` counts every request, `effects` only
the first of each message id. `mode`: ok | error (500) | slow (answers after `delay` s) | garbage (not HTTP) |
notjson (200 with a body that is not JSON). `mode` may be changed while it runs.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from yekuo.outbox.transports import MESSAGE_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify


class Receiver:
    def __init__(self, mode: str = "ok", secret: str = "", delay: float = 2.0):
        self.mode, self.secret, self.delay = mode, secret, delay
        self.hits: list[dict] = []
        self.seen: dict[str, dict] = {}
        self.bad_signatures = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def effects(self) -> int:
        return len(self.seen)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/hook"

    def __enter__(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                message_id = self.headers.get(MESSAGE_ID_HEADER, "")
                with receiver._lock:
                    receiver.hits.append({"id": message_id, "headers": dict(self.headers), "body": body})
                mode = receiver.mode
                if mode == "slow":
                    time.sleep(receiver.delay)
                elif mode == "garbage":
                    self.wfile.write(b"\x00\xffthis is not HTTP\r\n\r\n")
                    return
                elif mode == "error":
                    self._answer(500, b'{"error": "internal"}')
                    return
                elif mode == "notjson":
                    self._answer(200, b"<html>proxy login</html>")
                    return
                if receiver.secret and not verify(
                    receiver.secret, self.headers.get(TIMESTAMP_HEADER, ""), body, self.headers.get(SIGNATURE_HEADER)
                ):
                    with receiver._lock:
                        receiver.bad_signatures += 1
                    self._answer(401, b'{"error": "bad signature"}')
                    return
                with receiver._lock:
                    duplicate = message_id in receiver.seen
                    if not duplicate:
                        receiver.seen[message_id] = json.loads(body)
                self._answer(200, json.dumps({"received": True, "duplicate": duplicate}).encode())

            def _answer(self, status: int, body: bytes):
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the client gave up (a timeout test)
                    pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
