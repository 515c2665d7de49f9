"""Which forward proxy, if any, a request goes through; shared by both transports.

The rules, as requests, httpx and curl apply them:

- ``proxy=`` on the client wins and carries every request (``NO_PROXY`` does not apply to it).
- Otherwise, with ``trust_env=True``, ``HTTPS_PROXY`` carries https requests and
  ``HTTP_PROXY`` http ones, ``ALL_PROXY`` either when the specific one is unset (lower-case
  forms win over upper-case, as in ``urllib.request.getproxies_environment``), and a host
  matched by ``NO_PROXY`` goes direct. ``NO_PROXY`` entries are host names (matching the name
  and its subdomains; a leading ``.`` or ``*.`` is allowed), IP addresses, CIDR blocks, each
  optionally with ``:port``, or ``*`` for every host.
- Loopback hosts are not special: like requests and httpx, a request to ``127.0.0.1`` goes
  through the proxy unless ``NO_PROXY`` lists it.
- Only the environment variables are read (not the operating system's proxy settings), once,
  when the client makes its first connection pool.

Credentials in a proxy URL (``http://user:pass@host:port``) are split off here: the URL handed
to the HTTP library, logged or shown in an error has none.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import unquote, urlsplit

import attrs

from ._logging import LOGGER

__all__ = ["Proxy", "ProxyResolver", "check_proxy"]

_MAX_ORIGINS = 64


@attrs.frozen(repr=False)
class Proxy:
    """A forward proxy: its URL without credentials, and the credentials apart.

    Attributes:
        url: ``scheme://host:port`` (never any credentials).
        username: The user name from the URL, percent-decoded, or ``None``.
        password: The password from the URL, percent-decoded, or ``None``.
    """

    url: str
    username: str | None = None
    password: str | None = attrs.field(default=None)

    def __repr__(self) -> str:
        auth = ", with credentials" if self.username is not None else ""
        return f"Proxy({self.url!r}{auth})"


def check_proxy(proxy: object, name: str = "proxy") -> Proxy | None:
    """Parse and validate a proxy URL given by the caller.

    Args:
        proxy: ``None``, or an ``http://`` or ``https://`` URL with a host.
        name: The argument's name, for the error message.

    Raises:
        TypeError: ``proxy`` is not a string.
        ValueError: ``proxy`` is not an http(s) URL with a host and a valid port.
    """
    if proxy is None:
        return None
    if not isinstance(proxy, str):
        raise TypeError(
            f"{name} must be a URL string such as 'http://proxy.example:3128', "
            f"got {type(proxy).__name__}"
        )
    parsed = _parse(proxy) if "://" in proxy else "must be an http:// or https:// URL"
    if isinstance(parsed, str):
        raise ValueError(f"{name} {parsed}, got {_redact(proxy)!r}")
    return parsed


def _parse(url: str) -> Proxy | str:
    """The parsed proxy, or the reason (a sentence fragment) it is refused."""
    text = url.strip()
    if "://" not in text:
        # HTTP_PROXY=proxy:3128 is common; requests and httpx read it as http://.
        text = "http://" + text
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return "must be an http:// or https:// URL"
    try:
        host = parts.hostname
        port = parts.port
    except ValueError:
        return "has an invalid port"
    if not host:
        return "must name a host"
    if ":" in host:
        host = f"[{host}]"
    if port is None:
        port = 443 if scheme == "https" else 80
    username = None if parts.username is None else unquote(parts.username)
    password = None if parts.password is None else unquote(parts.password)
    if username is not None and password is None:
        password = ""
    return Proxy(f"{scheme}://{host}:{port}", username, password)


def _redact(url: str) -> str:
    """``url`` with any ``user:pass@`` replaced by ``***@``."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    authority, slash, tail = rest.partition("/")
    if "@" in authority:
        authority = "***@" + authority.rpartition("@")[2]
    return f"{scheme}{sep}{authority}{slash}{tail}"


class ProxyResolver:
    """Decides, per target origin, which proxy (or none) carries a request.

    Args:
        proxy: The caller's ``proxy=``, already checked; it carries every request.
        trust_env: Read ``HTTP(S)_PROXY``/``ALL_PROXY``/``NO_PROXY`` (when ``proxy`` is None).

    Attributes:
        active: Whether any request can go through a proxy; when False, ``for_url`` always
            answers ``None`` and callers may skip it.
    """

    def __init__(self, proxy: Proxy | None, trust_env: bool) -> None:
        self._explicit = proxy
        self._by_scheme: dict[str, Proxy] = {}
        self._no_proxy: list[str] = []
        if proxy is None and trust_env:
            import urllib.request  # about 35 ms: only when the first pool is made

            env = urllib.request.getproxies_environment()
            for scheme in ("http", "https", "all"):
                value = env.get(scheme)
                if not value:
                    continue
                parsed = _parse(value)
                if isinstance(parsed, str):
                    LOGGER.warning(
                        "ignoring the %s_proxy environment variable: it %s (got %r)",
                        scheme,
                        parsed,
                        _redact(value),
                    )
                    continue
                self._by_scheme[scheme] = parsed
            self._no_proxy = [
                entry.strip().lower() for entry in env.get("no", "").split(",") if entry.strip()
            ]
        self.active = proxy is not None or bool(self._by_scheme)
        self._origins: dict[str, Proxy | None] = {}

    def for_url(self, url: str) -> Proxy | None:
        """The proxy that carries a request to ``url``, or ``None`` to go direct."""
        if self._explicit is not None:
            return self._explicit
        # Decided once per origin (one per client in practice); bounded all the same.
        end = url.find("/", url.find("//") + 2)
        origin = url if end < 0 else url[:end]
        try:
            return self._origins[origin]
        except KeyError:
            pass
        decision = self._decide(origin)
        if len(self._origins) >= _MAX_ORIGINS:
            self._origins.clear()
        self._origins[origin] = decision
        return decision

    def _decide(self, origin: str) -> Proxy | None:
        parts = urlsplit(origin)
        proxy = self._by_scheme.get(parts.scheme) or self._by_scheme.get("all")
        if proxy is None or not parts.hostname:
            return proxy
        port = parts.port or (443 if parts.scheme == "https" else 80)
        if self._bypassed(parts.hostname.lower(), port):
            return None
        return proxy

    def _bypassed(self, host: str, port: int) -> bool:
        try:
            address: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(
                host
            )
        except ValueError:
            address = None
        for entry in self._no_proxy:
            if entry == "*":
                return True
            pattern, entry_port = _split_port(entry)
            if entry_port is not None and entry_port != port:
                continue
            if address is not None:
                try:
                    if address in ipaddress.ip_network(pattern, strict=False):
                        return True
                except ValueError:
                    pass
                continue
            pattern = pattern.removeprefix("*").lstrip(".")
            if pattern and (host == pattern or host.endswith("." + pattern)):
                return True
        return False


def _split_port(entry: str) -> tuple[str, int | None]:
    """``host:port`` (or ``[v6]:port``) into its parts; the port is ``None`` if absent."""
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
        return host, int(port) if port.isdigit() else None
    if entry.count(":") == 1:
        host, _, port = entry.partition(":")
        if port.isdigit():
            return host, int(port)
    return entry, None
