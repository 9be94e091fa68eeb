r"""HMAC signatures: pre-signed URLs (uploads, results) and webhook/callback bodies.

URLs carry ``expires`` (unix seconds) and ``sig`` = HMAC-SHA256(secret,
``"{purpose}\n{subject}\n{expires}"``), hex. Outgoing webhook and callback bodies
carry ``X-Skincore-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>``;
receivers recompute it with the service secret (see :func:`verify_body`).
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Skincore-Signature"


def sign(secret: bytes, purpose: str, subject: str, expires: int) -> str:
    """Signature of ``subject`` for ``purpose`` valid until ``expires``."""
    msg = f"{purpose}\n{subject}\n{expires}".encode()
    return hmac.new(secret, msg, hashlib.sha256).hexdigest()


def check(
    secret: bytes,
    purpose: str,
    subject: str,
    expires: str | int,
    sig: str,
    now: float | None = None,
) -> bool:
    """Whether ``sig`` is valid for ``subject`` and not expired."""
    try:
        exp = int(expires)
    except (TypeError, ValueError):
        return False
    if exp < (time.time() if now is None else now):
        return False
    return hmac.compare_digest(sign(secret, purpose, subject, exp), str(sig))


def sign_body(secret: bytes, body: bytes, timestamp: int | None = None) -> str:
    """Return the ``X-Skincore-Signature`` header value for ``body``."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret, f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify_body(secret: bytes, body: bytes, header: str, tolerance_s: float = 300.0) -> bool:
    """Verify an ``X-Skincore-Signature`` header (receivers' side)."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        t = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - t) > tolerance_s:
        return False
    want = hmac.new(secret, f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(want, parts.get("v1", ""))
