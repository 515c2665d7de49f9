"""Client configuration: arguments, then environment variables, then defaults; checked once."""

from __future__ import annotations

import ipaddress
import os
import platform
from collections.abc import Awaitable, Callable, Mapping
from urllib.parse import urlsplit

import attrs

from ._exceptions import ChimeKitError
from ._validation import (
    check_headers,
    check_max_retries,
    check_timeout,
    checked_default_headers,
)
from ._version import __version__

__all__ = ["DEFAULT_BASE_URL", "ClientConfig", "TokenProvider", "user_agent"]

DEFAULT_BASE_URL = "https://api.chimekit.com/sdk/v1"
ENV_SECRET_KEY = "CHIMEKIT_SECRET_KEY"  # noqa: S105 - the variable's name, not a secret
ENV_BASE_URL = "CHIMEKIT_BASE_URL"

TokenProvider = Callable[[], "str | Awaitable[str]"]


def user_agent(flavour: str) -> str:
    """The ``User-Agent`` of a client of the given flavour (``async`` or ``sync``)."""
    return f"chimekit-python/{__version__} ({flavour}) Python/{platform.python_version()}"


@attrs.frozen(repr=False)
class ClientConfig:
    """A client's checked configuration. Its ``repr`` never shows the secret key."""

    base_url: str
    secret_key: str | None
    token_provider: TokenProvider | None
    timeout: float | None
    max_retries: int
    default_headers: Mapping[str, str]

    @classmethod
    def resolve(
        cls,
        *,
        secret_key: str | None,
        base_url: str | None,
        timeout: float | None,
        max_retries: int,
        token_provider: TokenProvider | None,
        default_headers: Mapping[str, str] | None,
    ) -> ClientConfig:
        """Merge arguments with the environment and check everything.

        Raises:
            ChimeKitError: no credentials, or a base URL that would send them in clear text.
            ValueError: an option is out of range.
            TypeError: an option has the wrong type.
        """
        if secret_key is None and token_provider is None:
            secret_key = os.environ.get(ENV_SECRET_KEY) or None
            if secret_key is None:
                raise ChimeKitError(
                    "No API credentials: pass secret_key=... or token_provider=..., "
                    f"or set the {ENV_SECRET_KEY} environment variable."
                )
        if secret_key is not None:
            if not isinstance(secret_key, str):
                raise TypeError(f"secret_key must be a string, not {type(secret_key).__name__}")
            if not secret_key.strip():
                raise ValueError("secret_key must not be empty")
            check_headers({"Authorization": f"Bearer {secret_key}"}, "secret_key")
        if token_provider is not None and not callable(token_provider):
            raise TypeError("token_provider must be a callable returning a token")
        resolved_url = _check_base_url(base_url or os.environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL)
        return cls(
            base_url=resolved_url,
            secret_key=secret_key,
            token_provider=token_provider,
            timeout=check_timeout(timeout),
            max_retries=check_max_retries(max_retries),
            default_headers=checked_default_headers(default_headers),
        )


def _check_base_url(url: str) -> str:
    if not isinstance(url, str):
        raise TypeError("base_url must be a string")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ChimeKitError(f"base_url must be an absolute https:// URL, got {url!r}")
    if parts.username or parts.password:
        raise ChimeKitError("base_url must not contain credentials")
    if parts.query or parts.fragment:
        raise ChimeKitError("base_url must not have a query or fragment")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ChimeKitError(
            f"base_url {url!r} uses http:// to a host that is not this machine; the secret key "
            "would travel in clear text. Use https://, or http:// only for 127.0.0.1/localhost "
            "(the emulator)."
        )
    return f"{parts.scheme}://{parts.netloc}{parts.path}".rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
