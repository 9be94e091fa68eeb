"""API keys: made by ``skincore keys create``, stored only as SHA-256 hashes.

The same key is AILab's ``ailabapi-api-key`` header, YouCam's ``Bearer`` token
and the widget's ``faceAgeId``.
"""

from __future__ import annotations

import hashlib
import secrets

from skincore.server.storage import Store

PREFIX = "skc_"


def hash_key(key: str) -> str:
    """SHA-256 hex digest of an API key (what the store keeps)."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def create_key(store: Store) -> str:
    """Make a new random API key, store its hash and return the key itself."""
    key = PREFIX + secrets.token_urlsafe(24)
    store.add_key(hash_key(key))
    return key


def check_key(store: Store, key: str | None) -> str | None:
    """Return the key's hash when ``key`` is a known API key, else None."""
    if not key or len(key) > 256:
        return None
    h = hash_key(key)
    return h if store.has_key(h) else None


def bearer(authorization: str | None) -> str | None:
    """Return the token of an ``Authorization: Bearer TOKEN`` header, or None."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
