"""A private CA for https test servers, trusted by the sessions and pools the SDK makes."""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING

import trustme

import chimekit_async._transport
import chimekit_sync._transport

if TYPE_CHECKING:
    import pytest


def trusted_server_context(monkeypatch: pytest.MonkeyPatch) -> ssl.SSLContext:
    """A server context for 127.0.0.1/localhost whose CA both flavours trust for this test."""
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(server_context)
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)
    monkeypatch.setattr(chimekit_sync._transport, "_TLS_CONTEXT", client_context)
    monkeypatch.setattr(chimekit_async._transport, "_TLS_CONTEXT", client_context)
    return server_context
