# GENERATED from tests/async_/test_client.py by codegen/generate.py: do not edit by hand.
# Edit the async original and run `python codegen/generate.py`.
"""Client configuration, authentication, headers, the raw request() escape hatch, logging."""

from __future__ import annotations

import logging
import platform
from collections.abc import Callable

import pytest
from support import header, sdk_requests

import chimekit_sync
from chimekit_emulator import EmulatorHandle
from chimekit_sync import AuthenticationError, ChimeKit, ChimeKitError


def test_headers_on_every_request(chimekit: ChimeKit, chimekit_emulator: EmulatorHandle) -> None:
    """Authorization, Accept and the User-Agent with flavour and versions are sent."""
    chimekit.audience.get("user_1")
    entry = sdk_requests(chimekit_emulator.journal())[-1]
    assert header(entry, "Authorization") == "Bearer [redacted]"
    assert header(entry, "Accept") == "application/json"
    flavour = "async" if "async" in ChimeKit.__module__ else "sync"
    assert header(entry, "User-Agent") == (
        f"chimekit-python/{chimekit_sync.__version__} ({flavour}) "
        f"Python/{platform.python_version()}"
    )
    assert header(entry, "Idempotency-Key") is None  # only POSTs carry one


def test_default_and_extra_headers(
    make_client: Callable[..., ChimeKit], chimekit_emulator: EmulatorHandle
) -> None:
    """default_headers go on every request, extra_headers on one call."""
    client = make_client(default_headers={"X-Team": "growth"})
    client.audience.get("user_1", extra_headers={"X-Trace": "abc"})
    client.audience.get("user_1")
    first, second = sdk_requests(chimekit_emulator.journal())[-2:]
    assert header(first, "X-Team") == "growth"
    assert header(first, "X-Trace") == "abc"
    assert header(second, "X-Trace") is None


@pytest.mark.parametrize("value", ["a\r\nX-Evil: 1", "a\nb", "a\x00b"])
def test_header_injection_is_refused(make_client: Callable[..., ChimeKit], value: str) -> None:
    """Header values with CR, LF or NUL are a ValueError, at construction or per call."""
    with pytest.raises(ValueError, match="X-Custom"):
        make_client(default_headers={"X-Custom": value})
    client = make_client()
    with pytest.raises(ValueError, match="X-Custom"):
        client.audience.get("user_1", extra_headers={"X-Custom": value})
    with pytest.raises(ValueError, match="idempotency_key"):
        client.messages.send("u", content={"templateId": "t"}, idempotency_key=value)


def test_wrong_key_is_authentication_error(
    make_client: Callable[..., ChimeKit],
) -> None:
    """A key the API does not accept raises AuthenticationError, without retries."""
    client = make_client(secret_key="sk_wrong")
    with pytest.raises(AuthenticationError):
        client.audience.get("user_1")


def test_token_provider_sync_and_async(
    make_client: Callable[..., ChimeKit], chimekit_emulator: EmulatorHandle
) -> None:
    """A token provider (plain or coroutine function) is asked for each call."""
    calls: list[str] = []

    def plain() -> str:
        calls.append("plain")
        return chimekit_emulator.secret_key

    def coroutine() -> str:
        calls.append("coroutine")
        return chimekit_emulator.secret_key

    for provider in (plain, coroutine):
        client = make_client(secret_key=None, token_provider=provider)
        assert client.audience.get("user_1") is None
    assert calls == ["plain", "coroutine"]


def test_token_provider_asked_again_once_after_401(
    make_client: Callable[..., ChimeKit], chimekit_emulator: EmulatorHandle
) -> None:
    """An expired token gets one refresh; a provider that keeps failing surfaces the 401."""
    tokens = iter(["expired", chimekit_emulator.secret_key])
    client = make_client(secret_key=None, token_provider=lambda: next(tokens))
    assert client.audience.get("user_1") is None
    always_bad = make_client(secret_key=None, token_provider=lambda: "expired")
    with pytest.raises(AuthenticationError):
        always_bad.audience.get("user_1")
    member_calls = [e for e in sdk_requests(chimekit_emulator.journal()) if "members" in e["path"]]
    assert [e["status"] for e in member_calls] == [401, 200, 401, 401]


def test_configuration_from_environment(
    monkeypatch: pytest.MonkeyPatch, chimekit_emulator: EmulatorHandle
) -> None:
    """CHIMEKIT_SECRET_KEY and CHIMEKIT_BASE_URL configure a client built with no arguments."""
    monkeypatch.setenv("CHIMEKIT_SECRET_KEY", chimekit_emulator.secret_key)
    monkeypatch.setenv("CHIMEKIT_BASE_URL", chimekit_emulator.base_url)
    with ChimeKit() as client:
        assert client.base_url == chimekit_emulator.base_url
        assert client.audience.get("user_1") is None


def test_missing_key_names_the_environment_variable() -> None:
    """No key, env var or token provider: ChimeKitError that says what to set."""
    with pytest.raises(ChimeKitError, match="CHIMEKIT_SECRET_KEY"):
        ChimeKit()


@pytest.mark.parametrize(
    "url",
    ["http://api.chimekit.com/sdk/v1", "http://10.0.0.5:8787/sdk/v1", "ftp://x/y", "not a url"],
)
def test_insecure_or_bad_base_url_is_refused(url: str) -> None:
    """http:// is accepted only for loopback hosts; other schemes never."""
    with pytest.raises(ChimeKitError, match="base_url"):
        ChimeKit("sk_test", base_url=url)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8787/sdk/v1", "http://localhost:1/x", "http://[::1]:5/sdk/v1"]
)
def test_loopback_http_is_accepted(url: str) -> None:
    """The emulator's http:// loopback URLs are fine."""
    assert ChimeKit("sk_test", base_url=url).base_url == url


def test_repr_shows_base_url_not_key() -> None:
    """repr(client) never contains the secret."""
    client = ChimeKit("sk_live_supersecret", base_url="https://api.example.com/sdk/v1")
    assert "sk_live_supersecret" not in repr(client)
    assert "https://api.example.com/sdk/v1" in repr(client)


@pytest.mark.parametrize(
    ("option", "value"), [("timeout", -1), ("timeout", 0), ("max_retries", -1)]
)
def test_bad_options_are_value_errors(option: str, value: float) -> None:
    """Out-of-range options fail at construction with a ValueError naming them."""
    with pytest.raises(ValueError, match=option):
        ChimeKit("sk_test", **{option: value})  # type: ignore[arg-type]


def test_raw_request(chimekit: ChimeKit) -> None:
    """request() reaches any path with the client's auth and returns the parsed JSON."""
    created = chimekit.request("POST", "/audience/identify", json={"externalUserId": "raw"})
    assert created["member"]["id"] == "raw"
    page = chimekit.request(
        "GET", "/messages/members/raw/messages", params={"limit": 5, "offset": 0}
    )
    assert page["pagination"] == {"totalCount": 0, "limit": 5, "offset": 0}


@pytest.mark.parametrize(
    "path", ["audience", "//evil.example/x", "/a/../b", "/a?x=1", "/a b", "/a#b"]
)
def test_raw_request_refuses_paths_that_leave_the_api(chimekit: ChimeKit, path: str) -> None:
    """A raw path that could escape base_url or smuggle a query is a ValueError."""
    with pytest.raises(ValueError, match="path"):
        chimekit.request("GET", path)


def test_closed_client_refuses_requests(
    make_client: Callable[..., ChimeKit],
) -> None:
    """After close() a call raises ChimeKitError instead of reopening connections."""
    client = make_client()
    client.close()
    client.close()
    with pytest.raises(ChimeKitError, match="closed"):
        client.audience.get("user_1")


def test_one_debug_record_per_attempt_without_secrets(
    make_client: Callable[..., ChimeKit],
    chimekit_emulator: EmulatorHandle,
    caplog: pytest.LogCaptureFixture,
    retry_waits: list[float],
) -> None:
    """The chimekit logger emits one DEBUG line per attempt with status and request id."""
    client = make_client(secret_key=None, token_provider=lambda: chimekit_emulator.secret_key)
    chimekit_emulator.add_fault(path="^/audience/members/user_1$", status=503, times=1)
    with caplog.at_level(logging.DEBUG, logger="chimekit"):
        client.audience.get("user_1")
    debug = [r for r in caplog.records if r.levelno == logging.DEBUG and r.name == "chimekit"]
    assert len(debug) == 2
    assert "attempt 1" in debug[0].getMessage()
    assert "503" in debug[0].getMessage()
    assert "attempt 2" in debug[1].getMessage()
    assert "request id req_" in debug[1].getMessage()
    for record in caplog.records:
        assert chimekit_emulator.secret_key not in record.getMessage()
