"""All outbound webhook calls go through here: the signature integrators check, and the HTTP POST itself.

The signature is HMAC-SHA256 over "<unix time>.<body>", sent as `X-Portal-Signature: t=<time>,v1=<hex>`.
Signing the time with the body lets a receiver refuse a replayed call outside its window (`verify`).
"""

import hashlib
import hmac
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

SIGNATURE_HEADER = "X-Portal-Signature"
REPLAY_WINDOW_SECONDS = 300


def sign(*, secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(*, secret: str, body: bytes, header: str, now: float | None = None) -> bool:
    """What a receiver does (and what the docs show): the signature matches and the time is recent."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    if not parts.get("t", "").isdigit() or "v1" not in parts:
        return False
    timestamp = int(parts["t"])
    if abs((time.time() if now is None else now) - timestamp) > REPLAY_WINDOW_SECONDS:
        return False
    expected = sign(secret=secret, body=body, timestamp=timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts["v1"])


@dataclass(frozen=True)
class Answer:
    status: int  # 0 when nothing answered
    error: str = ""

    @property
    def delivered(self) -> bool:
        return 200 <= self.status < 300


def post(*, url: str, body: bytes, secret: str, event: str, delivery_id: int, timeout: float = 10.0) -> Answer:
    """POST one event. Never raises for the receiver's failures: the caller records them and tries again."""
    timestamp = int(time.time())
    request = urllib.request.Request(  # noqa: S310 (an https or http address an admin entered)
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "pos-support-portal-webhooks/1",
            SIGNATURE_HEADER: sign(secret=secret, body=body, timestamp=timestamp),
            "X-Portal-Event": event,
            "X-Portal-Delivery": str(delivery_id),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return Answer(status=response.status)
    except urllib.error.HTTPError as error:
        return Answer(status=error.code, error=f"HTTP {error.code}")
    except (urllib.error.URLError, OSError, ValueError) as error:
        return Answer(status=0, error=str(getattr(error, "reason", error))[:300])
