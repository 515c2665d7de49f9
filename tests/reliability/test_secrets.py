"""Secret hygiene: no key or token in logs, errors, reprs, warnings or stderr, on any path."""

from __future__ import annotations

import asyncio
import logging
import secrets
import traceback
import warnings
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from chimekit_async import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AsyncChimeKit,
    AuthenticationError,
    BadRequestError,
    ChannelContent,
    ChimeKitError,
    EmailContent,
    EmailIdentity,
    InAppContent,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from chimekit_core import _logging
from chimekit_emulator import EmulatorConfig, EmulatorControl, EmulatorServer
from chimekit_sync import ChimeKit

from .checks import assert_no_resource_warnings

SECRET_KEY = f"sk_live_{secrets.token_hex(16)}"
TOKEN = f"tok_{secrets.token_hex(16)}"
WRONG_KEY = f"sk_live_{secrets.token_hex(16)}"
EXPIRED_TOKEN = f"tok_{secrets.token_hex(16)}"
SECRETS = (SECRET_KEY, TOKEN, WRONG_KEY, EXPIRED_TOKEN)
MEMBER = "secret_member"
TIMEOUT = 0.2


@pytest.fixture(scope="module")
def keyed_emulator() -> Iterator[EmulatorServer]:
    """An emulator that accepts this module's random secret key and token (and nothing else)."""
    with EmulatorServer(
        EmulatorConfig(secret_keys=(SECRET_KEY, TOKEN), run_queued_seconds=0)
    ) as server:
        yield server


@pytest.fixture
def control(keyed_emulator: EmulatorServer) -> EmulatorControl:
    """The keyed emulator's admin API, reset for this test."""
    handle = EmulatorControl(keyed_emulator.admin_url)
    handle.reset()
    return handle


@pytest.fixture
def debug_env_logging(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[None]:
    """CHIMEKIT_LOG=debug for clients built in this test; the handler is removed afterwards.

    Depends on ``capsys`` so the stderr handler the SDK attaches writes into the capture.
    """
    monkeypatch.setenv("CHIMEKIT_LOG", "debug")
    monkeypatch.setattr(_logging, "_handler", None)
    before = list(_logging.LOGGER.handlers)
    level = _logging.LOGGER.level
    yield
    for handler in _logging.LOGGER.handlers:
        if handler not in before:
            _logging.LOGGER.removeHandler(handler)
    _logging.LOGGER.setLevel(level)


class Driver:
    """Runs SDK calls of either flavour from async code (sync calls on a worker thread)."""

    def __init__(self, flavour: str) -> None:
        self.flavour = flavour
        self.errors: list[BaseException] = []
        self.clients: list[Any] = []

    def client(self, base_url: str, **options: Any) -> Any:
        """A client of this flavour; remembered for repr checks and closing."""
        cls = AsyncChimeKit if self.flavour == "async" else ChimeKit
        client = cls(base_url=base_url, **options)
        self.clients.append(client)
        return client

    async def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)``, awaited (async) or run on a thread (sync)."""
        if self.flavour == "async":
            return await fn(*args, **kwargs)
        return await asyncio.to_thread(fn, *args, **kwargs)

    async def items(self, paginator: Any) -> list[Any]:
        """Every item of a paginator."""
        if self.flavour == "async":
            return [item async for item in paginator]
        return await asyncio.to_thread(list, paginator)

    async def fails(
        self, expected: type[BaseException], fn: Callable[..., Any], *args: Any, **kwargs: Any
    ) -> Any:
        """Call and require an ``expected`` error; keep it for the secret scan."""
        with pytest.raises(expected) as caught:
            await self.call(fn, *args, **kwargs)
        self.errors.append(caught.value)
        return caught.value

    async def close(self) -> None:
        """Close every client built."""
        for client in self.clients:
            result = client.close()
            if isinstance(result, Awaitable):
                await result


async def every_endpoint(driver: Driver, ck: Any, control: EmulatorControl) -> None:
    """Call each public method once, successfully."""
    email = EmailIdentity("ava@example.com")
    await driver.call(ck.audience.identify, MEMBER, display_name="Ava", identities=[email])
    await driver.call(ck.audience.get, MEMBER)
    await driver.call(ck.audience.update, MEMBER, attributes={"plan": "pro"})
    suppression = await driver.call(ck.audience.suppressions.add, MEMBER, identity=email)
    await driver.call(ck.audience.suppressions.list, MEMBER)
    await driver.call(ck.audience.suppressions.remove, MEMBER, suppression.id)
    content = ChannelContent(in_app=InAppContent(title="Hi"), email=EmailContent(subject="Hi"))
    sent = await driver.call(ck.messages.send, MEMBER, content=content)
    await driver.call(ck.messages.get, sent.message.id)
    await driver.items(ck.messages.list_for_member(MEMBER, limit=1))
    await driver.call(ck.messages.list_for_member(MEMBER).first_page)
    ref = await driver.call(ck.workflows.run, "welcome", MEMBER, context={"step": 1})
    control.advance_runs(ref.run_id)
    await driver.call(ck.workflows.get_run, ref.run_id)
    await driver.call(ck.workflows.wait_for_run, ref.run_id, timeout=5, poll_interval=0.05)
    await driver.call(ck.request, "GET", f"/audience/members/{MEMBER}")


async def every_error(driver: Driver, ck: Any, control: EmulatorControl) -> None:
    """Every error path: statuses, bodies that are not JSON, cut-off and silent connections."""
    member_path = f"^/audience/members/{MEMBER}$"
    get = ck.audience.get
    await driver.fails(BadRequestError, ck.request, "POST", "/messages/send", json={"x": 1})
    await driver.fails(NotFoundError, ck.messages.get, "msg_missing")
    await driver.fails(NotFoundError, ck.audience.suppressions.list, "nobody")
    key = "reused-key"
    await driver.call(ck.messages.send, MEMBER, content={"templateId": "a"}, idempotency_key=key)
    await driver.fails(
        UnprocessableEntityError,
        ck.messages.send,
        MEMBER,
        content={"templateId": "b"},
        idempotency_key=key,
    )
    faults: list[tuple[type[BaseException], dict[str, Any]]] = [
        (PermissionDeniedError, {"status": 403}),
        (RateLimitError, {"status": 429, "headers": {"Retry-After": "3600"}}),
        (InternalServerError, {"status": 500}),
        (InternalServerError, {"status": 502, "text": "<html><h1>502 Bad Gateway</h1></html>"}),
        (APIStatusError, {"status": 302, "headers": {"Location": "https://elsewhere.example/"}}),
        (APIResponseValidationError, {"status": 200, "text": "<html>not json</html>"}),
        (APIResponseValidationError, {"status": 200, "body": {"member": 42}}),
        (APIConnectionError, {"fault": "truncate"}),
        (APIConnectionError, {"fault": "reset"}),
        (APITimeoutError, {"fault": "hang"}),
        (APITimeoutError, {"fault": "drip", "interval": 0.2, "chunk": 2}),
    ]
    for expected, rule in faults:
        control.add_fault(path=member_path, **rule)
        error = await driver.fails(expected, get, MEMBER, timeout=TIMEOUT, max_retries=1)
        if isinstance(error, RateLimitError):
            assert error.retry_after == 3600.0
        control.clear_faults()


async def every_retry(driver: Driver, ck: Any, control: EmulatorControl) -> None:
    """Every retry path, each ending in success."""
    member_path = f"^/audience/members/{MEMBER}$"
    for rule in (
        {"status": 503},
        {"status": 429, "headers": {"Retry-After": "0"}},
        {"status": 504, "headers": {"retry-after-ms": "1"}},
        {"fault": "reset"},
        {"fault": "truncate"},
        {"fault": "hang"},
    ):
        control.add_fault(path=member_path, times=1, **rule)
        await driver.call(ck.audience.get, MEMBER, timeout=TIMEOUT)
    control.add_fault(path="^/messages/send$", fault="commit_then_drop", times=1)
    await driver.call(ck.messages.send, MEMBER, content={"templateId": "again"})
    control.add_fault(path="^/workflows/[^/]+/run$", fault="commit_then_drop", times=1)
    await driver.call(ck.workflows.run, "welcome", MEMBER)


async def scenario(driver: Driver, base_url: str, control: EmulatorControl) -> None:
    """Drive the secret-key client and the token client through everything."""
    expired = iter([EXPIRED_TOKEN])
    keyed = driver.client(base_url, secret_key=SECRET_KEY, max_retries=2)
    tokened = driver.client(
        base_url, token_provider=lambda: next(expired, TOKEN), max_retries=2
    )  # the first token is refused (401), the provider is asked again
    for ck in (keyed, tokened):
        await every_endpoint(driver, ck, control)
        await every_error(driver, ck, control)
        await every_retry(driver, ck, control)
        await driver.call(ck.audience.delete, MEMBER)
    wrong = driver.client(base_url, secret_key=WRONG_KEY)
    await driver.fails(AuthenticationError, wrong.audience.get, MEMBER)
    stale = driver.client(base_url, token_provider=lambda: EXPIRED_TOKEN)
    await driver.fails(AuthenticationError, stale.audience.get, MEMBER)
    empty = driver.client(base_url, token_provider=lambda: "")
    await driver.fails(ChimeKitError, empty.audience.get, MEMBER)
    with pytest.raises(ValueError) as bad_key:
        driver.client(base_url, secret_key=f"{SECRET_KEY}\r\nX-Evil: 1")
    driver.errors.append(bad_key.value)
    with pytest.raises(ChimeKitError) as clear_text:
        driver.client("http://api.example.com/sdk/v1", secret_key=SECRET_KEY)
    driver.errors.append(clear_text.value)
    await driver.close()
    await driver.fails(ChimeKitError, keyed.audience.get, MEMBER)  # closed


def exception_texts(error: BaseException) -> list[str]:
    """Everything an error shows: str, repr, args, body, headers, message, url, traceback."""
    texts = [str(error), repr(error), repr(error.args)]
    attributes = ("body", "response_headers", "message", "url", "method", "request_id")
    texts += [repr(getattr(error, name)) for name in attributes if hasattr(error, name)]
    texts.append("".join(traceback.format_exception(error)))
    return texts


@pytest.mark.slow
@pytest.mark.parametrize("flavour", ["async", "sync"])
async def test_no_secret_in_logs_errors_reprs_warnings_or_stderr(
    flavour: str,
    keyed_emulator: EmulatorServer,
    control: EmulatorControl,
    debug_env_logging: None,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    retry_waits: list[float],
) -> None:
    """With CHIMEKIT_LOG=debug, no key, token or "Bearer <key>" shows anywhere, on any path."""
    caplog.set_level(logging.DEBUG)  # every logger, the SDK's, aiohttp's and urllib3's included
    driver = Driver(flavour)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        await scenario(driver, keyed_emulator.base_url, control)
    captured = capsys.readouterr()

    texts = [repr(client) for client in driver.clients]
    for error in driver.errors:
        texts += exception_texts(error)
    texts += [record.getMessage() for record in caplog.records]
    texts += [caplog.text, captured.out, captured.err]
    texts += [f"{w.category.__name__}: {w.message}" for w in caught]
    haystack = "\n".join(texts)
    for secret in SECRETS:
        assert secret not in haystack
        assert f"Bearer {secret}" not in haystack

    # The scan covered real output: debug lines on stderr, one record per attempt, retries.
    assert "chimekit DEBUG" in captured.err
    chimekit_records = [r for r in caplog.records if r.name == "chimekit"]
    assert sum(r.levelno == logging.DEBUG for r in chimekit_records) > 60
    assert any("retry" in r.getMessage() for r in chimekit_records)
    assert len(driver.errors) > 30
    assert [str(w.message) for w in caught] == []
    assert_no_resource_warnings()


def test_the_request_and_response_records_never_show_header_values() -> None:
    """The records transports exchange (seen in tracebacks' locals) name headers, not values."""
    from chimekit_core._http import Request, Response

    key = "sk_live_do_not_print_me"
    request = Request(
        "POST",
        "https://api.chimekit.com/sdk/v1/messages/send",
        {"Authorization": f"Bearer {key}", "Proxy-Authorization": f"Basic {key}"},
        b"{}",
        "/messages/send",
    )
    response = Response(200, {"X-Request-Id": "req_1"}, b"{}", request)
    shown = "Request(POST /messages/send, headers=['Authorization', 'Proxy-Authorization'])"
    assert repr(request) == shown
    assert repr(response) == (
        f"Response(status=200, headers={{'X-Request-Id': 'req_1'}}, content=b'{{}}', "
        f"request={shown})"
    )
    assert key not in str(request)
