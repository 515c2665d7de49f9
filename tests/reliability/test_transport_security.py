"""Transport security: no clear text off this machine, no redirects, no silent TLS downgrade."""

from __future__ import annotations

import ssl
from typing import Any

import aiohttp
import pytest
import urllib3
from support import sdk_requests

from chimekit_async import APIStatusError, AsyncChimeKit, ChimeKitError
from chimekit_core._exceptions import InsecureTransportWarning
from chimekit_emulator import EmulatorHandle
from chimekit_sync import ChimeKit

from .checks import assert_no_resource_warnings
from .rawserver import RawConnection, RawServer, json_response

CLEAR_TEXT_URLS = [
    "http://api.chimekit.com/sdk/v1",
    "http://10.0.0.5:8787/sdk/v1",
    "http://192.168.1.20/sdk/v1",
    "http://[2001:db8::1]/sdk/v1",
    "http://0.0.0.0:8787/sdk/v1",
    "HTTP://api.chimekit.com/sdk/v1",
    "  http://api.chimekit.com/sdk/v1",
    "http://localhost.evil.example/sdk/v1",
    "http://127.0.0.1.nip.io/sdk/v1",
    "http://127.0.0.1@evil.example/sdk/v1",
    "http://evil.example#@127.0.0.1/sdk/v1",
]
REDIRECTS = [301, 302, 303, 307, 308]


def _flavours() -> list[Any]:
    return [pytest.param(AsyncChimeKit, id="async"), pytest.param(ChimeKit, id="sync")]


@pytest.mark.parametrize("client_class", _flavours())
@pytest.mark.parametrize("url", CLEAR_TEXT_URLS)
def test_clear_text_base_url_off_this_machine_is_refused(client_class: Any, url: str) -> None:
    """An http:// base_url to a non-loopback host is a ChimeKitError at construction."""
    with pytest.raises(ChimeKitError, match="base_url"):
        client_class("sk_test_secret", base_url=url)


@pytest.mark.parametrize("client_class", _flavours())
def test_clear_text_base_url_from_the_environment_is_refused(
    client_class: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CHIMEKIT_BASE_URL gets the same check as the argument."""
    monkeypatch.setenv("CHIMEKIT_BASE_URL", "http://api.chimekit.com/sdk/v1")
    with pytest.raises(ChimeKitError, match="base_url"):
        client_class("sk_test_secret")


@pytest.mark.parametrize("client_class", _flavours())
@pytest.mark.parametrize("url", ["http://127.0.0.1:1/sdk/v1", "https://api.chimekit.com/sdk/v1"])
def test_https_and_loopback_http_are_accepted(client_class: Any, url: str) -> None:
    """https:// anywhere, and http:// to loopback (the emulator), are accepted."""
    assert client_class("sk_test_secret", base_url=url).base_url == url


class HitCounter:
    """A second server that only counts the requests it gets (it answers 200)."""

    def __init__(self) -> None:
        self.hits = 0

    def __call__(self, conn: RawConnection) -> None:
        while conn.read_request() is not None:
            self.hits += 1
            conn.send(json_response(b'{"member":null}'))


@pytest.mark.parametrize("status", REDIRECTS)
async def test_async_redirect_is_not_followed(
    chimekit_emulator: EmulatorHandle, raw_server: type[RawServer], status: int
) -> None:
    """Async: a 3xx is an APIStatusError at once; the Location host never sees a request."""
    target = HitCounter()
    elsewhere = raw_server(target)
    location = elsewhere.url("/sdk/v1/audience/members/user_1")
    chimekit_emulator.add_fault(status=status, headers={"Location": location}, body={})
    async with AsyncChimeKit(
        chimekit_emulator.secret_key, base_url=chimekit_emulator.base_url
    ) as client:
        with pytest.raises(APIStatusError) as get_error:
            await client.audience.get("user_1")
        with pytest.raises(APIStatusError) as post_error:
            await client.messages.send("user_1", content={"templateId": "t"})
    for caught in (get_error, post_error):
        assert caught.value.status_code == status
        assert "redirect" in str(caught.value)
    assert target.hits == 0
    assert elsewhere.connections == 0
    assert len(sdk_requests(chimekit_emulator.journal())) == 2  # 3xx is not retried either
    assert_no_resource_warnings()


@pytest.mark.parametrize("status", REDIRECTS)
def test_sync_redirect_is_not_followed(
    chimekit_emulator: EmulatorHandle, raw_server: type[RawServer], status: int
) -> None:
    """Sync: a 3xx is an APIStatusError at once; the Location host never sees a request."""
    target = HitCounter()
    elsewhere = raw_server(target)
    location = elsewhere.url("/sdk/v1/audience/members/user_1")
    chimekit_emulator.add_fault(status=status, headers={"Location": location}, body={})
    with ChimeKit(chimekit_emulator.secret_key, base_url=chimekit_emulator.base_url) as client:
        with pytest.raises(APIStatusError) as get_error:
            client.audience.get("user_1")
        with pytest.raises(APIStatusError) as post_error:
            client.messages.send("user_1", content={"templateId": "t"})
    for caught in (get_error, post_error):
        assert caught.value.status_code == status
        assert "redirect" in str(caught.value)
    assert target.hits == 0
    assert elsewhere.connections == 0
    assert len(sdk_requests(chimekit_emulator.journal())) == 2
    assert_no_resource_warnings()


def _unverified_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _no_hostname_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    return context


ASYNC_UNVERIFIED = {
    "ssl-false": lambda: False,
    "context-cert-none": _unverified_context,
    "context-no-hostname-check": _no_hostname_context,
}


@pytest.mark.parametrize("make_ssl", ASYNC_UNVERIFIED.values(), ids=ASYNC_UNVERIFIED.keys())
async def test_async_session_without_tls_verification_warns(make_ssl: Any) -> None:
    """Async: a session whose connector skips certificate or hostname checks warns at construction."""
    connector = aiohttp.TCPConnector(ssl=make_ssl())
    async with aiohttp.ClientSession(connector=connector) as session:
        with pytest.warns(InsecureTransportWarning, match="TLS"):
            client = AsyncChimeKit("sk_test_secret", session=session)
        await client.close()
    assert_no_resource_warnings()


async def test_async_verifying_session_does_not_warn() -> None:
    """Async: a default session (verification on) is accepted silently."""
    async with aiohttp.ClientSession() as session:
        client = AsyncChimeKit("sk_test_secret", session=session)  # filterwarnings=error
        await client.close()
        assert not session.closed  # the caller's session is the caller's to close


SYNC_UNVERIFIED = {
    "cert-reqs-string": lambda: {"cert_reqs": "CERT_NONE"},
    "cert-reqs-constant": lambda: {"cert_reqs": ssl.CERT_NONE},
    "cert-reqs-short-name": lambda: {"cert_reqs": "NONE"},
    "context-cert-none": lambda: {"ssl_context": _unverified_context()},
    "assert-hostname-false": lambda: {"assert_hostname": False},
}


@pytest.mark.parametrize("make_options", SYNC_UNVERIFIED.values(), ids=SYNC_UNVERIFIED.keys())
def test_sync_pool_without_tls_verification_warns(make_options: Any) -> None:
    """Sync: a PoolManager that skips certificate or hostname checks warns at construction."""
    pool = urllib3.PoolManager(**make_options())
    with pytest.warns(InsecureTransportWarning, match="TLS"):
        client = ChimeKit("sk_test_secret", pool=pool)
    client.close()
    pool.clear()


def test_sync_verifying_pool_does_not_warn() -> None:
    """Sync: a default PoolManager (verification on) is accepted silently."""
    pool = urllib3.PoolManager()
    ChimeKit("sk_test_secret", pool=pool).close()  # filterwarnings=error
    pool.clear()
