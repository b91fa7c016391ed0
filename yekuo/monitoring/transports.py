"""The outbox transports of the warning channels (R10): WeCom and DingTalk group robots, an SMS gateway.

Registered with the outbox (`yekuo.outbox.transports.register`) when the app loads; a `Destination` names
one by its `transport` and carries its address:

- `wecom` (企业微信群机器人): `url` = the robot's webhook, `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`.
  The payload is the robot's documented JSON message (`{"msgtype": "text", "text": {"content": …,
  "mentioned_mobile_list": […]}}`), posted as is; delivered when the answer is `{"errcode": 0}`.
- `dingtalk` (钉钉自定义机器人): `url` = `https://oapi.dingtalk.com/robot/send?access_token=…`; with a
  `secret` (加签), `timestamp` (ms) and `sign` = Base64(HMAC-SHA256(secret, "<timestamp>\\n<secret>"))
  are added to the URL as DingTalk documents. Delivered when the answer is `{"errcode": 0}`.
- `sms`: a generic HTTP gateway adapter: POSTs `{"phone", "text", "template", "params", "message_id"}` as
  JSON (with `Authorization: Bearer <secret>` when set); delivered on a 2xx whose JSON `code`, if any, is
  0 / "0" / "OK". A vendor with another API gets its own transport of the same shape.

A refused or failed answer is a failed attempt, retried by the outbox with backoff; never an exception.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from yekuo.outbox.transports import EXCERPT_CHARS, MESSAGE_ID_HEADER, Result


def _post(url: str, body: dict, timeout: float, headers: dict | None = None) -> tuple[Result | None, dict | None]:
    """POST JSON; (a failed Result, None) or (None, the answer's JSON object)."""
    data = json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(
        url, data=data, method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "yekuo-outbox", **(headers or {})},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read(64 * 1024)
    except urllib.error.HTTPError as error:
        return Result(
            False, error.code, error.read(EXCERPT_CHARS).decode("utf-8", "replace"), f"HTTP {error.code}"
        ), None
    except (OSError, http.client.HTTPException, ValueError) as error:
        return Result(False, error=f"{type(error).__name__}: {error}"[:EXCERPT_CHARS]), None
    excerpt = raw[:EXCERPT_CHARS].decode("utf-8", "replace")
    if not 200 <= status < 300:
        return Result(False, status, excerpt, f"HTTP {status}"), None
    try:
        answer = json.loads(raw) if raw.strip() else {}
    except ValueError:
        return Result(False, status, excerpt, "answer is not JSON"), None
    if not isinstance(answer, dict):
        return Result(False, status, excerpt, "answer is not a JSON object"), None
    return None, answer


def _robot(destination, message, url: str) -> Result:
    if not url:
        return Result(False, error="destination has no url")
    result, answer = _post(url, message.payload, destination.timeout_s)
    if result is not None:
        return result
    # Both robots answer 200 with {"errcode": 0, "errmsg": "ok"}; any other errcode is a refusal.
    if answer.get("errcode", 0) != 0:
        return Result(
            False, 200, json.dumps(answer, ensure_ascii=False)[:EXCERPT_CHARS], f"errcode {answer.get('errcode')}"
        )
    return Result(True, 200, json.dumps(answer, ensure_ascii=False)[:EXCERPT_CHARS])


def send_wecom(destination, message) -> Result:
    return _robot(destination, message, destination.url)


def dingtalk_signed_url(url: str, secret: str, now_ms: int | None = None) -> str:
    """The webhook URL with DingTalk's 加签 parameters (timestamp in ms, Base64 HMAC-SHA256 of
    "<timestamp>\\n<secret>" keyed by the secret, URL-encoded)."""
    timestamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


def send_dingtalk(destination, message) -> Result:
    url = destination.url
    if url and destination.secret:
        url = dingtalk_signed_url(url, destination.secret)
    return _robot(destination, message, url)


def send_sms(destination, message) -> Result:
    if not destination.url:
        return Result(False, error="destination has no url")
    body = {**message.payload, "message_id": str(message.id)}
    headers = {MESSAGE_ID_HEADER: str(message.id)}
    if destination.secret:
        headers["Authorization"] = f"Bearer {destination.secret}"
    result, answer = _post(destination.url, body, destination.timeout_s, headers)
    if result is not None:
        return result
    code = answer.get("code", 0)
    if code not in (0, "0", "OK", "ok"):
        return Result(False, 200, json.dumps(answer, ensure_ascii=False)[:EXCERPT_CHARS], f"gateway code {code}")
    return Result(True, 200, json.dumps(answer, ensure_ascii=False)[:EXCERPT_CHARS])


def register_all() -> None:
    from yekuo.outbox.transports import register

    register("wecom", send_wecom)
    register("dingtalk", send_dingtalk)
    register("sms", send_sms)
