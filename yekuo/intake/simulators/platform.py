"""A government platform, simulated (R3; docs/platforms.md): `yekuo simulate platform --url URL`.

A separate process that signs and pushes realistic applications to yekuo at `--rate` per second, with
`--duplicates` of them repeats of an earlier application (a platform retrying) and `--bad` of them faulty
on purpose (a wrong signature, a replayed nonce, a stale timestamp, a malformed body, an invalid field),
and that receives yekuo's callbacks on its own small HTTP server (`--listen`), idempotent by message id; the
same server serves the applications' documents (`GET /docs/<application>/<kind>.pdf`) for yekuo to fetch.
It prints one line per push outcome and per callback, and a JSON summary at the end (Ctrl-C or
`--count`/`--duration`).

It uses nothing of yekuo's but the signing functions, so it talks to yekuo only over HTTP, as a partner
would. Without `--key-id`/`--secret` the command issues a key on the local database (a convenience for
the demo: `yekuo simulate platform` on the machine that runs yekuo).
"""

from __future__ import annotations

import json
import random
import secrets
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from yekuo.intake.signing import signed_headers
from yekuo.intake.testing import PUSH_PATH, application

ADDRESSES = [
    "鄂尔多斯市东胜区天骄路18号",
    "鄂尔多斯市东胜区铜川镇幸福村5号",
    "鄂尔多斯市康巴什区哈巴格希街道文化路3号",
    "鄂尔多斯市伊金霍洛旗阿勒腾席热镇新华街9号",
    "鄂尔多斯市伊金霍洛旗札萨克镇工业园2号",
    "鄂尔多斯市达拉特旗树林召镇平原路7号",
]
FAULTS = ("bad_signature", "replayed_nonce", "stale_timestamp", "malformed_body", "invalid_field")


class Platform:
    def __init__(self, url: str, code: str, key_id: str, secret: str, seed: int | None = None, quiet: bool = False,
                 addresses: list[str] | None = None, documents_at: str | None = None):  # fmt: skip
        self.url, self.code, self.key_id, self.secret = url.rstrip("/"), code, key_id, secret
        self.documents_at = documents_at  # the callback server's address: it serves the documents too
        self.addresses = addresses or ADDRESSES
        self.rng = random.Random(seed)
        self.sent: list[dict] = []  # applications accepted, for repeats
        self.last: tuple[bytes, dict] | None = None  # the last request, for a replay
        self.seen = Counter()
        self.quiet = quiet
        self.lock = threading.Lock()
        self.prefix = f"SIM{int(time.time())}{secrets.token_hex(2)}"
        self.counter = 0

    # -------------------------------------------------------------------------------- building requests
    def _new_body(self) -> dict:
        with self.lock:
            self.counter += 1
            number = self.counter
        category = self.rng.choice(["lv_resident", "lv_resident", "lv_business"])
        body = application(f"{self.prefix}-{number:06d}", self.rng.choice(self.addresses), rng=random.Random(number),
                           category=category)  # fmt: skip
        if self.documents_at:
            for document in body["documents"]:
                document["url"] = f"{self.documents_at}/docs/{body['application_id']}/{document['kind']}.pdf"
        return body

    def _signed(self, raw: bytes, *, stamp: int | None = None, secret: str | None = None) -> dict:
        path = PUSH_PATH.format(code=self.code)
        stamp = int(time.time()) if stamp is None else stamp
        return signed_headers(self.key_id, secret or self.secret, "POST", path, stamp, secrets.token_urlsafe(18), raw)

    def plan(self, duplicates: float, bad: float) -> tuple[str, bytes, dict]:
        """(what, body, headers) of the next push."""
        roll = self.rng.random()
        if roll < bad:
            fault = self.rng.choice(FAULTS)
            body = json.dumps(self._new_body(), ensure_ascii=False).encode()
            if fault == "bad_signature":
                return fault, body, self._signed(body, secret="sk_not-the-secret")
            if fault == "stale_timestamp":
                return fault, body, self._signed(body, stamp=int(time.time()) - 3600)
            if fault == "malformed_body":
                raw = body[: len(body) // 2]
                return fault, raw, self._signed(raw)
            if fault == "replayed_nonce" and self.last is not None:
                return fault, *self.last
            invalid = self._new_body()
            invalid["capacity_kva"] = -5
            raw = json.dumps(invalid, ensure_ascii=False).encode()
            return "invalid_field", raw, self._signed(raw)
        if roll < bad + duplicates and self.sent:
            body = json.dumps(self.rng.choice(self.sent), ensure_ascii=False).encode()
            return "duplicate", body, self._signed(body)
        body = self._new_body()
        raw = json.dumps(body, ensure_ascii=False).encode()
        return "new", raw, self._signed(raw)

    # -------------------------------------------------------------------------------- pushing
    def push(self, what: str, raw: bytes, headers: dict) -> tuple[str, int, dict]:
        request = urllib.request.Request(self.url + PUSH_PATH.format(code=self.code), data=raw, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, answer = response.status, json.loads(response.read() or b"{}")
                replayed = response.headers.get("Idempotent-Replayed") == "true"
        except urllib.error.HTTPError as error:
            status, replayed = error.code, False
            try:
                answer = json.loads(error.read() or b"{}")
            except ValueError:
                answer = {}
        except OSError as error:
            status, answer, replayed = 0, {"code": type(error).__name__}, False
        if what == "new" and status == 201:
            with self.lock:
                self.sent.append(json.loads(raw))
        if status != 0 and what != "replayed_nonce":
            self.last = (raw, headers)
        outcome = f"{what}:{status}:{answer.get('code') or answer.get('state', '')}{':replayed' if replayed else ''}"
        with self.lock:
            self.seen[outcome] += 1
        if not self.quiet:
            print(f"push {outcome} {answer.get('application_id') or answer.get('message', '')[:80]}", flush=True)
        return what, status, answer


DOCUMENT_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


class CallbackServer:
    """yekuo's callbacks, received once per message id (a receiver must deduplicate: delivery is at least once)."""

    def __init__(self, host: str, port: int, secret: str = "", quiet: bool = False):
        self.seen: dict[str, dict] = {}
        self.hits = 0
        self.kinds = Counter()
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                message_id = self.headers.get("X-Yekuo-Message-Id", "")
                if secret:
                    from yekuo.outbox.transports import verify

                    if not verify(secret, self.headers.get("X-Yekuo-Timestamp", ""), body,
                                  self.headers.get("X-Yekuo-Signature", "")):  # fmt: skip
                        self._answer(401, {"error": "bad signature"})
                        return
                envelope = json.loads(body or b"{}")
                with server.lock:
                    server.hits += 1
                    duplicate = message_id in server.seen
                    if not duplicate:
                        server.seen[message_id] = envelope
                        server.kinds[envelope.get("kind", "?")] += 1
                if not quiet:
                    payload = envelope.get("payload", {})
                    detail = payload.get("branch") or payload.get("reason") or payload.get("node") or ""
                    print(f"callback {envelope.get('kind')} {payload.get('application_id')} {envelope.get('order')} "
                          f"{detail}{' (again)' if duplicate else ''}", flush=True)  # fmt: skip
                self._answer(200, {"received": True, "duplicate": duplicate})

            def do_GET(self):
                # The applications' documents, as the platform serves them for yekuo to fetch (a small PDF each).
                if not self.path.startswith("/docs/") or not self.path.endswith(".pdf"):
                    self._answer(404, {"error": "not found"})
                    return
                raw = DOCUMENT_PDF
                self.send_response(200)
                self.send_header("Content-Type", "application/pdf")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _answer(self, status, data):
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()


def run(*, url: str, code: str, key_id: str, secret: str, rate: float = 5.0, duplicates: float = 0.3,
        bad: float = 0.05, count: int | None = None, duration: float | None = None, concurrency: int = 4,
        listen: str | None = None, callback_secret: str = "", linger: float = 0.0, seed: int | None = None,
        quiet: bool = False, addresses: list[str] | None = None) -> dict:  # fmt: skip
    """Push until `count` pushes or `duration` seconds (or Ctrl-C); returns and prints the summary."""
    server, documents_at = None, None
    if listen:
        host, _, port = listen.rpartition(":")
        documents_at = f"http://{host or '127.0.0.1'}:{port}"
    platform = Platform(url, code, key_id, secret, seed, quiet, addresses, documents_at)
    if listen:
        server = CallbackServer(host or "127.0.0.1", int(port), callback_secret, quiet).start()
        print(f"callbacks at http://{host or '127.0.0.1'}:{port}/", flush=True)
    started = time.monotonic()
    interval = 1.0 / rate if rate > 0 else 0.0
    done = 0
    try:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            futures = []
            while (count is None or done < count) and (duration is None or time.monotonic() - started < duration):
                futures.append(pool.submit(platform.push, *platform.plan(duplicates, bad)))
                done += 1
                if interval:
                    time.sleep(max(0.0, started + done * interval - time.monotonic()))
                if len(futures) > 4 * concurrency:
                    futures.pop(0).result()
            for future in futures:
                future.result()
        if server and linger:
            time.sleep(linger)
    except KeyboardInterrupt:
        pass
    finally:
        if server:
            server.stop()
    summary = {
        "pushes": done,
        "seconds": round(time.monotonic() - started, 2),
        "outcomes": dict(sorted(platform.seen.items())),
        "callbacks": dict(server.kinds) if server else None,
        "callback_requests": server.hits if server else None,
    }
    print(json.dumps(summary, ensure_ascii=False), file=sys.stdout, flush=True)
    return summary
