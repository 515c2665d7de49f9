"""Both flavours through a real forward proxy: the environment, NO_PROXY, proxy=, CONNECT, credentials."""

from __future__ import annotations

import asyncio
import base64
import logging
import ssl
from collections.abc import Callable, Iterator
from typing import Any

import aiohttp
import pytest
import urllib3
from reliability.rawserver import RawConnection, RawServer, Script, json_response

from chimekit_async import AsyncChimeKit
from chimekit_core import APIConnectionError
from chimekit_sync import ChimeKit

from .forward_proxy import ForwardProxy
from .tls import trusted_server_context

FLAVOURS = ["sync", "async"]
KEY = "sk_test_proxy_secret"
BODY = b'{"ok":true}'
PROXY_VARS = ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "REQUEST_METHOD"]
DEAD_PROXY = "http://127.0.0.1:9"


@pytest.fixture(autouse=True)
def _no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts without proxy variables, whatever the machine running the suite has."""
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def proxy_server() -> Iterator[Callable[..., ForwardProxy]]:
    """Start ``ForwardProxy`` instances; all are stopped after the test."""
    started: list[ForwardProxy] = []

    def start(credentials: tuple[str, str] | None = None) -> ForwardProxy:
        proxy = ForwardProxy(credentials).__enter__()
        started.append(proxy)
        return proxy

    yield start
    for proxy in reversed(started):
        proxy.__exit__(None, None, None)


@pytest.fixture
def target(raw_server: Callable[[Script], RawServer]) -> RawServer:
    """An http target that records each request and answers ``{"ok": true}``, then closes."""
    servers: list[RawServer] = []

    def script(conn: RawConnection) -> None:
        request = conn.read_request()
        if request is not None:
            servers[0].record(conn, request)
            conn.send(json_response(BODY, keep_alive=False))

    servers.append(raw_server(script))
    return servers[0]


@pytest.fixture
def tls_target(
    raw_server: Callable[[Script], RawServer], monkeypatch: pytest.MonkeyPatch
) -> RawServer:
    """An https target (a private CA the SDK's own pools trust) recording each request."""
    server_context = trusted_server_context(monkeypatch)
    servers: list[RawServer] = []

    def script(conn: RawConnection) -> None:
        try:
            tls = server_context.wrap_socket(conn.sock, server_side=True)
        except (ssl.SSLError, OSError):
            return
        inner = RawConnection(conn.number, tls)
        request = inner.read_request()
        if request is not None:
            servers[0].record(inner, request)
            inner.send(json_response(BODY, keep_alive=False))
        inner.close()

    servers.append(raw_server(script))
    return servers[0]


def make_client(flavour: str, base_url: str, **options: Any) -> Any:
    """A client of ``flavour`` with no retries."""
    cls = ChimeKit if flavour == "sync" else AsyncChimeKit
    options.setdefault("max_retries", 0)
    return cls(KEY, base_url=base_url, **options)


def call(flavour: str, base_url: str, **options: Any) -> Any:
    """``GET /ping`` with a fresh client of ``flavour``; returns the decoded body."""
    client = make_client(flavour, base_url, **options)
    if flavour == "sync":
        with client:
            return client.request("GET", "/ping")

    async def run() -> Any:
        async with client:
            return await client.request("GET", "/ping")

    return asyncio.run(run())


def lines(proxy: ForwardProxy) -> list[tuple[str, str]]:
    """The request lines the proxy read, as ``(method, target)``."""
    return [(seen.method, seen.target) for seen in proxy.seen]


# -- the environment ---------------------------------------------------------------------------


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"])
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_proxy_from_the_environment_carries_http_requests(
    proxy_server: Callable[..., ForwardProxy],
    target: RawServer,
    monkeypatch: pytest.MonkeyPatch,
    flavour: str,
    variable: str,
) -> None:
    """HTTP_PROXY or ALL_PROXY (either case) sends an http request through the proxy, absolute-form."""
    proxy = proxy_server()
    monkeypatch.setenv(variable, proxy.url)
    assert call(flavour, target.url()) == {"ok": True}
    assert lines(proxy) == [("GET", f"http://127.0.0.1:{target.port}/sdk/v1/ping")]
    assert [request.target for _, request in target.requests] == ["/sdk/v1/ping"]


@pytest.mark.parametrize(
    ("host", "no_proxy"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("localhost", "localhost"),
        ("127.0.0.1", "example.com, 127.0.0.0/8"),
    ],
    ids=["ip", "name", "cidr"],
)
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_no_proxy_sends_a_listed_host_direct(
    proxy_server: Callable[..., ForwardProxy],
    target: RawServer,
    monkeypatch: pytest.MonkeyPatch,
    flavour: str,
    host: str,
    no_proxy: str,
) -> None:
    """A host NO_PROXY lists (by IP, name or CIDR block) goes direct; the proxy sees nothing."""
    proxy = proxy_server()
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", no_proxy)
    assert call(flavour, f"http://{host}:{target.port}/sdk/v1") == {"ok": True}
    assert lines(proxy) == []
    assert [request.target for _, request in target.requests] == ["/sdk/v1/ping"]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_loopback_goes_through_the_proxy_unless_no_proxy_lists_it(
    proxy_server: Callable[..., ForwardProxy],
    target: RawServer,
    monkeypatch: pytest.MonkeyPatch,
    flavour: str,
) -> None:
    """As in requests and httpx, localhost is proxied when NO_PROXY names only other hosts."""
    proxy = proxy_server()
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "example.com,.internal")
    assert call(flavour, f"http://localhost:{target.port}/sdk/v1") == {"ok": True}
    assert lines(proxy) == [("GET", f"http://localhost:{target.port}/sdk/v1/ping")]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_trust_env_false_ignores_the_environment(
    proxy_server: Callable[..., ForwardProxy],
    target: RawServer,
    monkeypatch: pytest.MonkeyPatch,
    flavour: str,
) -> None:
    """trust_env=False goes direct even with HTTP_PROXY and ALL_PROXY set."""
    proxy = proxy_server()
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("ALL_PROXY", proxy.url)
    assert call(flavour, target.url(), trust_env=False) == {"ok": True}
    assert lines(proxy) == []
    assert len(target.requests) == 1


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_proxy_argument_overrides_the_environment(
    proxy_server: Callable[..., ForwardProxy],
    target: RawServer,
    monkeypatch: pytest.MonkeyPatch,
    flavour: str,
) -> None:
    """proxy= wins over HTTP_PROXY (a dead proxy here) and is not bypassed by NO_PROXY."""
    proxy = proxy_server()
    monkeypatch.setenv("HTTP_PROXY", DEAD_PROXY)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert call(flavour, target.url(), proxy=proxy.url) == {"ok": True}
    assert lines(proxy) == [("GET", f"http://127.0.0.1:{target.port}/sdk/v1/ping")]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_unusable_proxy_variable_is_ignored_with_a_warning(
    target: RawServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    flavour: str,
) -> None:
    """An HTTP_PROXY the SDK cannot use (socks5://) is skipped with one warning naming it; the call goes direct."""
    monkeypatch.setenv("HTTP_PROXY", "socks5://user:hunter2@127.0.0.1:1080")
    with caplog.at_level(logging.WARNING, logger="chimekit"):
        assert call(flavour, target.url()) == {"ok": True}
    assert [record.getMessage() for record in caplog.records if record.name == "chimekit"] == [
        "ignoring the http_proxy environment variable: it must be an http:// or https:// URL "
        "(got 'socks5://***@127.0.0.1:1080')"
    ]
    assert len(target.requests) == 1


# -- https: a CONNECT tunnel, the key only inside TLS -------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_https_goes_through_a_connect_tunnel(
    proxy_server: Callable[..., ForwardProxy],
    tls_target: RawServer,
    monkeypatch: pytest.MonkeyPatch,
    flavour: str,
) -> None:
    """HTTPS_PROXY: the proxy sees one CONNECT without the key; the tunnelled bytes never hold it in clear."""
    proxy = proxy_server()
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    base_url = f"https://127.0.0.1:{tls_target.port}/sdk/v1"
    assert call(flavour, base_url) == {"ok": True}
    assert lines(proxy) == [("CONNECT", f"127.0.0.1:{tls_target.port}")]
    (connect,) = proxy.seen
    assert "authorization" not in connect.headers
    assert len(connect.tunnelled) > 500  # a TLS handshake and an encrypted request went through
    assert KEY.encode() not in connect.tunnelled
    assert b"Bearer" not in connect.tunnelled
    ((_, request),) = tls_target.requests
    assert request.headers["authorization"] == f"Bearer {KEY}"


# -- credentials in the proxy URL ---------------------------------------------------------------


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_proxy_credentials_are_sent_to_the_proxy(
    proxy_server: Callable[..., ForwardProxy], target: RawServer, flavour: str
) -> None:
    """user:pass@ in proxy= (percent-encoded) becomes a Basic Proxy-Authorization the proxy accepts."""
    proxy = proxy_server(credentials=("ann", "p@ss word"))
    port = proxy.url.rsplit(":", 1)[1]
    url = f"http://ann:p%40ss%20word@127.0.0.1:{port}"
    assert call(flavour, target.url(), proxy=url) == {"ok": True}
    expected = "Basic " + base64.b64encode(b"ann:p@ss word").decode()
    assert [seen.headers.get("proxy-authorization") for seen in proxy.seen] == [expected]
    ((_, request),) = target.requests
    assert "proxy-authorization" not in request.headers


REFUSED = {
    "sync": "GET /ping: could not go through the proxy http://127.0.0.1:{port} "
    "(OSError: Tunnel connection failed: 407 Proxy Authentication Required)",
    "async": "GET /ping: could not go through the proxy http://127.0.0.1:{port} "
    "(it answered 407 Proxy Authentication Required)",
}


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_proxy_credentials_never_appear_in_errors_reprs_or_logs(
    proxy_server: Callable[..., ForwardProxy],
    tls_target: RawServer,
    caplog: pytest.LogCaptureFixture,
    flavour: str,
) -> None:
    """A refused CONNECT is APIConnectionError naming the proxy without its password; no log shows it."""
    proxy = proxy_server(credentials=("ann", "right"))
    port = proxy.url.rsplit(":", 1)[1]
    base_url = f"https://127.0.0.1:{tls_target.port}/sdk/v1"
    client = make_client(flavour, base_url, proxy=f"http://ann:Wr0ngSecret@127.0.0.1:{port}")
    assert "Wr0ngSecret" not in repr(client)
    with caplog.at_level(logging.DEBUG), pytest.raises(APIConnectionError) as info:
        call(flavour, base_url, proxy=f"http://ann:Wr0ngSecret@127.0.0.1:{port}")
    assert type(info.value) is APIConnectionError
    assert str(info.value) == REFUSED[flavour].format(port=port)
    assert lines(proxy) == [("CONNECT", f"127.0.0.1:{tls_target.port}")]
    assert caplog.records  # the SDK and urllib3/aiohttp did log at DEBUG
    for record in caplog.records:
        assert "Wr0ngSecret" not in record.getMessage()
        assert "Wr0ngSecret" not in str(record.args)
    assert tls_target.requests == []


# -- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxy", "message"),
    [
        (
            "socks5://127.0.0.1:1080",
            "proxy must be an http:// or https:// URL, got 'socks5://127.0.0.1:1080'",
        ),
        ("127.0.0.1:3128", "proxy must be an http:// or https:// URL, got '127.0.0.1:3128'"),
        ("http://", "proxy must name a host, got 'http://'"),
        ("http://ann:secret@:3128", "proxy must name a host, got 'http://***@:3128'"),
        (
            "http://proxy.example:99999",
            "proxy has an invalid port, got 'http://proxy.example:99999'",
        ),
    ],
)
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_bad_proxy_is_a_value_error_at_construction(flavour: str, proxy: str, message: str) -> None:
    """A proxy that is not an http(s) URL with a host and port is a ValueError naming the argument."""
    with pytest.raises(ValueError) as info:
        make_client(flavour, "http://127.0.0.1:9/sdk/v1", proxy=proxy)
    assert str(info.value) == message


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_proxy_of_the_wrong_type_is_a_type_error(flavour: str) -> None:
    """proxy=3128 is a TypeError naming the argument and the expected form."""
    with pytest.raises(TypeError) as info:
        make_client(flavour, "http://127.0.0.1:9/sdk/v1", proxy=3128)
    assert str(info.value) == (
        "proxy must be a URL string such as 'http://proxy.example:3128', got int"
    )


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_trust_env_of_the_wrong_type_is_a_type_error(flavour: str) -> None:
    """trust_env="no" (truthy) is a TypeError naming the argument, not silently True."""
    with pytest.raises(TypeError) as info:
        make_client(flavour, "http://127.0.0.1:9/sdk/v1", trust_env="no")
    assert str(info.value) == "trust_env must be a bool, got str"


def test_proxy_with_own_pool_is_refused() -> None:
    """Sync: proxy= together with the caller's pool is a ValueError (the pool is used as given)."""
    with urllib3.PoolManager() as pool, pytest.raises(ValueError) as info:
        ChimeKit(KEY, base_url="http://127.0.0.1:9/sdk/v1", pool=pool, proxy=DEAD_PROXY)
    assert str(info.value) == (
        "proxy cannot be combined with your own session/pool; configure the proxy on it"
    )


async def test_proxy_with_own_session_is_refused() -> None:
    """Async: proxy= together with the caller's session is a ValueError (the session is used as given)."""
    async with aiohttp.ClientSession() as session:
        with pytest.raises(ValueError) as info:
            AsyncChimeKit(
                KEY, base_url="http://127.0.0.1:9/sdk/v1", session=session, proxy=DEAD_PROXY
            )
    assert str(info.value) == (
        "proxy cannot be combined with your own session/pool; configure the proxy on it"
    )


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_unreachable_proxy_is_a_connection_error_naming_it(
    target: RawServer, flavour: str, retry_waits: list[float]
) -> None:
    """A proxy that refuses connections is a retried APIConnectionError naming the proxy, not a timeout."""
    with pytest.raises(APIConnectionError) as info:
        call(flavour, target.url(), proxy="http://ann:Wr0ngSecret@127.0.0.1:9", max_retries=1)
    assert type(info.value) is APIConnectionError
    assert str(info.value) == (
        "GET /ping: could not connect to the proxy http://127.0.0.1:9 "
        "(ConnectionRefusedError: Connection refused)"
    )
    assert len(retry_waits) >= 1
    assert target.requests == []


# -- the emulator's pytest fixtures stay local -------------------------------------------------


def test_sync_emulator_fixture_never_uses_a_proxy(
    chimekit: ChimeKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sync: the plugin's ``chimekit`` fixture reaches the local emulator even with HTTP_PROXY set."""
    monkeypatch.setenv("HTTP_PROXY", DEAD_PROXY)
    member = chimekit.audience.identify("user_1")
    assert member.id == "user_1"


async def test_async_emulator_fixture_never_uses_a_proxy(
    async_chimekit: AsyncChimeKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Async: the plugin's ``async_chimekit`` fixture reaches the local emulator even with HTTP_PROXY set."""
    monkeypatch.setenv("HTTP_PROXY", DEAD_PROXY)
    member = await async_chimekit.audience.identify("user_1")
    assert member.id == "user_1"


def test_a_callers_pool_carries_the_requests_as_it_is_configured(
    proxy_server: Callable[..., ForwardProxy], target: RawServer
) -> None:
    """Sync: a caller's pool (here a ProxyManager) sends every request, not the SDK's own pool."""
    proxy = proxy_server()
    with (
        urllib3.ProxyManager(proxy.url) as pool,
        ChimeKit(KEY, base_url=target.url(), pool=pool, trust_env=False) as client,
    ):
        assert client.request("GET", "/ping") == {"ok": True}
        assert client.request("GET", "/ping") == {"ok": True}
    url = f"http://127.0.0.1:{target.port}/sdk/v1/ping"
    assert lines(proxy) == [("GET", url), ("GET", url)]
    assert [request.target for _, request in target.requests] == ["/sdk/v1/ping"] * 2
