"""Local receivers for the channel tests: a real SMTP server and HTTP endpoints standing in for the WeCom
and DingTalk group robots and an SMS gateway, each in a thread of the test process (standard library only)."""

from __future__ import annotations

import json
import socketserver
import threading
import urllib.parse
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Mailbox:
    messages: list = field(default_factory=list)  # (envelope from, [rcpt], email.message.EmailMessage)


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Enough of RFC 5321 for smtplib: EHLO/HELO, MAIL, RCPT, DATA (dot-unstuffed), RSET, NOOP, QUIT."""

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 localhost test SMTP")
        sender, rcpts = None, []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            command = raw.decode("utf-8", "replace").strip()
            verb = command[:4].upper()
            if verb == "EHLO":
                self.reply("250-localhost")
                self.reply("250 8BITMIME")
            elif verb == "HELO":
                self.reply("250 localhost")
            elif verb == "MAIL":
                sender, rcpts = command.split(":", 1)[1].split()[0].strip("<>"), []
                self.reply("250 OK")
            elif verb == "RCPT":
                rcpts.append(command.split(":", 1)[1].strip().strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while True:
                    line = self.rfile.readline()
                    if line in (b".\r\n", b".\n", b""):
                        break
                    lines.append(line[1:] if line.startswith(b"..") else line)
                parsed = message_from_bytes(b"".join(lines), policy=policy.default)
                self.server.mailbox.messages.append((sender, rcpts, parsed))
                self.reply("250 OK: queued")
            elif verb == "RSET":
                sender, rcpts = None, []
                self.reply("250 OK")
            elif verb == "NOOP":
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class _SMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def smtp_server():
    """(server, mailbox): listening on 127.0.0.1 at server.server_address[1]; call server.shutdown()."""
    server = _SMTPServer(("127.0.0.1", 0), _SMTPHandler)
    server.mailbox = Mailbox()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.mailbox


@dataclass
class Hooks:
    requests: list = field(default_factory=list)  # (path, query dict, headers dict, JSON body)
    answers: list = field(default_factory=list)  # (status, JSON) to give, in order; then 200 {"errcode": 0}


class _HookHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length) or b"null")
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        self.server.hooks.requests.append((url.path, query, dict(self.headers), body))
        status, answer = self.server.hooks.answers.pop(0) if self.server.hooks.answers else (200, {"errcode": 0})
        raw = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args):
        pass


def webhook_server():
    """(server, hooks, base URL) of a local HTTP receiver; call server.shutdown()."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HookHandler)
    server.daemon_threads = True
    server.hooks = Hooks()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.hooks, f"http://127.0.0.1:{server.server_address[1]}"
