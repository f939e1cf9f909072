"""How a receiver checks that a body came from us: HMAC-SHA256 over "<timestamp>.<body>".

Verification, on the receiving side (Python)::

    expected = "sha256=" + hmac.new(secret.encode(), f"{ts}.".encode() + body,
                                    hashlib.sha256).hexdigest()
    ok = hmac.compare_digest(expected, headers["X-Revloop-Signature"])
    fresh = abs(time.time() - int(ts)) < 300   # ts = headers["X-Revloop-Timestamp"]

The timestamp is inside the signed text, so an old body cannot be replayed later
with a new timestamp.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_PREFIX = "sha256="


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return SIGNATURE_PREFIX + digest.hexdigest()


def verify(secret: str, timestamp: int, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, timestamp, body), signature)
