"""Identifiers: random ones for new objects, stable ones derived from names."""

from __future__ import annotations

import hashlib
import secrets


def new_id(prefix: str) -> str:
    """A fresh identifier such as ``msg_3f9a...`` (96 random bits)."""
    return f"{prefix}_{secrets.token_hex(12)}"


def stable_id(prefix: str, *parts: str) -> str:
    """An identifier that is always the same for the same ``parts`` (a hash, not a secret)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"{prefix}_{digest[:24]}"


def new_request_id() -> str:
    """The value of an ``X-Request-Id`` header."""
    return f"req_{secrets.token_hex(12)}"
