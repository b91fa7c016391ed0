"""A real server (gunicorn) refuses an upload over the limit without receiving it whole (S1, ASVS 12.1.1): from its
Content-Length before reading any of it, or, when the length leaves room, as soon as the file passes the limit
while it streams in. The client here stops sending at that point and still gets its 413: a server that read
the whole body before answering would wait for the rest and never answer."""

import json
import select
import socket
import time
from urllib.parse import urlsplit

import pytest

from yekuo.orders.tests.test_api_http import server  # noqa: F401  (the module's gunicorn, a fixture)

pytestmark = pytest.mark.slow  # starts gunicorn
MB = 1024 * 1024
BOUNDARY = "yekuo-limit"
HEAD = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="reason_code"\r\n\r\ndocuments_missing\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="evidence_file"; filename="scan.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n%PDF-1.7\n").encode()  # fmt: skip


def post_partly(server, length: int, send: int) -> tuple[int, dict, int]:  # noqa: F811
    """POST a multipart body announced as `length` bytes but send at most `send` of them, stopping as soon as
    the server answers; (status, JSON body, bytes sent)."""
    base, token = server
    address = urlsplit(base)
    sock = socket.create_connection((address.hostname, address.port), timeout=30)
    try:
        sock.sendall(
            (f"POST /api/v1/orders/YK0/suspend HTTP/1.1\r\nHost: {address.netloc}\r\nAuthorization: Token {token}\r\n"
             f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {length}\r\n\r\n").encode()
        )  # fmt: skip
        sent, chunk = 0, HEAD + b"0" * (64 * 1024 - len(HEAD))
        while sent < send and not select.select([sock], [], [], 0)[0]:
            piece = chunk[: send - sent]
            try:
                sock.sendall(piece)
            except (BrokenPipeError, ConnectionResetError):
                break  # the server answered and closed: its answer is waiting to be read
            sent += len(piece)
            chunk = b"0" * (64 * 1024)
        answer, deadline = b"", time.monotonic() + 60
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            if time.monotonic() > deadline:
                pytest.fail(f"no answer after {sent:,} of {length:,} bytes: the server waits for the whole body")
            data = sock.recv(65536)
            if not data:
                break
            answer += data
    finally:
        sock.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body), sent


def test_a_body_longer_than_any_acceptable_upload_is_refused_before_it_is_read(server):  # noqa: F811
    status, body, sent = post_partly(server, length=200 * MB, send=64 * 1024)
    assert status == 413 and body["code"] == "request_too_large", body
    assert "at most 10.0 MB" in body["message"] and sent <= 64 * 1024


def test_a_file_over_the_limit_is_refused_while_it_streams_in(server):  # noqa: F811
    """14 MB announced (room for a 10 MB file and the form's other fields): the answer comes once the file passes
    10 MB, while 3 MB are still unsent."""
    status, body, sent = post_partly(server, length=14 * MB, send=11 * MB)
    assert status == 413 and body["code"] == "request_too_large", body
    assert body["message"] == "File too large; evidence files may be at most 10.0 MB."
    assert 10 * MB < sent <= 11 * MB < 14 * MB  # answered past the limit, without the rest of the body
