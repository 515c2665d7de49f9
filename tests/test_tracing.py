"""OpenTelemetry spans of both flavours, read back from the SDK's in-memory exporter.

Against the emulator over sockets, and against independent servers for the failures the
emulator does not produce (a connection closed mid-call, a server that always fails).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import bodies
import pytest
from hostile.flavours import run as run_flavour
from hostile.servers import Reply, Seen, serve
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from reliability.rawserver import RawConnection, RawServer, json_response
from support import header

from chimekit_async import AsyncChimeKit
from chimekit_core import (
    APIConnectionError,
    APIResponseValidationError,
    ChannelContent,
    EmailIdentity,
    InAppContent,
    InternalServerError,
    NotFoundError,
    RetryPolicy,
    _tracing,
)
from chimekit_emulator import EmulatorHandle
from chimekit_sync import ChimeKit

FLAVOURS = ["async", "sync"]
flavours = pytest.mark.parametrize("flavour", FLAVOURS)
CONTENT = ChannelContent(in_app=InAppContent(title="Hi"))
EMAIL = EmailIdentity("ava@example.com")
FAST = RetryPolicy(initial=0.001, maximum=0.001)
SRC = Path(__file__).resolve().parent.parent / "src"


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> InMemorySpanExporter:
    """An SDK tracer provider, global for this test only, exporting to memory."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    # set_tracer_provider works once per process; the attribute it sets is restored after
    # the test, so later tests run with the API's default no-op provider again.
    monkeypatch.setattr(trace, "_TRACER_PROVIDER", provider)
    return exporter


def run(
    flavour: str, emulator: EmulatorHandle | str, scenario: Callable[[Any], Any], **options: Any
) -> Any:
    """Run ``scenario(client)`` with a client of ``flavour``; awaits what it returns in async."""
    if isinstance(emulator, str):
        base_url, key = emulator, "sk_test_tracing"
    else:
        base_url, key = emulator.base_url, emulator.secret_key
    options.setdefault("secret_key", None if "token_provider" in options else key)
    return run_flavour(flavour, base_url, scenario, **options)


def named(exporter: InMemorySpanExporter, name: str) -> list[ReadableSpan]:
    """The finished spans called ``name``, in the order they ended."""
    return [span for span in exporter.get_finished_spans() if span.name == name]


def events(span: ReadableSpan, name: str = "chimekit.attempt") -> list[dict[str, Any]]:
    """The attributes of the span's events called ``name``."""
    return [dict(event.attributes or {}) for event in span.events if event.name == name]


def traceparent(span: ReadableSpan) -> str:
    """The ``traceparent`` header value that carries ``span``'s context."""
    context = span.get_span_context()
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{context.trace_flags:02x}"


def identify(flavour: str, emulator: EmulatorHandle, user: str = "user_1") -> None:
    """Make a member (with a client of ``flavour``) for the tests that send."""
    run(flavour, emulator, lambda ck: ck.audience.identify(user))


@flavours
def test_send_span_has_exact_name_kind_and_attributes(
    flavour: str, chimekit_emulator: EmulatorHandle, spans: InMemorySpanExporter
) -> None:
    """A send is one CLIENT span `chimekit.messages.send` with the HTTP attributes, nothing more."""
    identify(flavour, chimekit_emulator)
    chimekit_emulator.clear_journal()
    run(
        flavour,
        chimekit_emulator,
        lambda ck: ck.messages.send("user_1", content=CONTENT, idempotency_key="key-1"),
    )
    (span,) = named(spans, "chimekit.messages.send")
    (entry,) = chimekit_emulator.journal()
    port = int(chimekit_emulator.base_url.split(":")[2].split("/")[0])
    assert span.kind is SpanKind.CLIENT
    assert span.status.status_code is StatusCode.UNSET
    assert span.instrumentation_scope is not None
    assert span.instrumentation_scope.name == "chimekit"
    assert dict(span.attributes or {}) == {
        "http.request.method": "POST",
        "server.address": "127.0.0.1",
        "server.port": port,
        "url.full": f"{chimekit_emulator.base_url}/messages/send",
        "chimekit.idempotency_key": "key-1",
        "http.response.status_code": entry["status"],
        "chimekit.retries": 0,
        "chimekit.request_id": entry["requestId"],
    }
    assert entry["status"] == 200
    assert events(span) == [
        {
            "chimekit.attempt.number": 1,
            "chimekit.attempt.outcome": "success",
            "http.response.status_code": 200,
        }
    ]


@flavours
def test_every_resource_method_names_its_span(
    flavour: str, chimekit_emulator: EmulatorHandle, spans: InMemorySpanExporter
) -> None:
    """Span names come from the resource and method, the raw request and paginator pages included."""

    def scenario(ck: Any) -> Any:
        if flavour == "sync":
            ck.audience.identify("user_1")
            ck.audience.get("user_1")
            ck.audience.suppressions.add("user_1", identity=EMAIL)
            ck.messages.send("user_1", content=CONTENT)
            ck.messages.list_for_member("user_1").first_page()
            ck.messages.with_raw_response.send("user_1", content=CONTENT)
            ck.request("GET", "/audience/members/user_1")
            run_id = ck.workflows.run("welcome", "user_1").run_id
            ck.workflows.get_run(run_id)
            chimekit_emulator.advance_runs(run_id)
            ck.workflows.wait_for_run(run_id, timeout=5)
            return None

        async def steps() -> None:
            await ck.audience.identify("user_1")
            await ck.audience.get("user_1")
            await ck.audience.suppressions.add("user_1", identity=EMAIL)
            await ck.messages.send("user_1", content=CONTENT)
            await ck.messages.list_for_member("user_1").first_page()
            await ck.messages.with_raw_response.send("user_1", content=CONTENT)
            await ck.request("GET", "/audience/members/user_1")
            run_id = (await ck.workflows.run("welcome", "user_1")).run_id
            await ck.workflows.get_run(run_id)
            chimekit_emulator.advance_runs(run_id)  # a quick admin call; blocking is fine here
            await ck.workflows.wait_for_run(run_id, timeout=5)

        return steps()

    run(flavour, chimekit_emulator, scenario)
    assert [span.name for span in spans.get_finished_spans()] == [
        "chimekit.audience.identify",
        "chimekit.audience.get",
        "chimekit.audience.suppressions.add",
        "chimekit.messages.send",
        "chimekit.messages.list_for_member",
        "chimekit.messages.send",
        "chimekit.request",
        "chimekit.workflows.run",
        "chimekit.workflows.get_run",
        "chimekit.workflows.wait_for_run",  # one span per poll; here the run had finished
    ]


@flavours
def test_retried_call_records_both_attempts_on_one_span(
    flavour: str, chimekit_emulator: EmulatorHandle, spans: InMemorySpanExporter
) -> None:
    """A 503 then a success: one span, two attempt events, retries 1, status 200."""
    identify(flavour, chimekit_emulator)
    chimekit_emulator.add_fault(path="^/messages/send$", status=503, times=1)
    run(
        flavour,
        chimekit_emulator,
        lambda ck: ck.messages.send("user_1", content=CONTENT),
        retry=FAST,
    )
    (span,) = named(spans, "chimekit.messages.send")
    attempts = events(span)
    backoff = attempts[0].pop("chimekit.attempt.backoff_s")
    assert 0.0 <= backoff <= 0.001
    assert attempts == [
        {
            "chimekit.attempt.number": 1,
            "chimekit.attempt.outcome": "retry",
            "error.type": "chimekit_core.InternalServerError",
            "http.response.status_code": 503,
        },
        {
            "chimekit.attempt.number": 2,
            "chimekit.attempt.outcome": "success",
            "http.response.status_code": 200,
        },
    ]
    assert span.attributes is not None
    assert span.attributes["chimekit.retries"] == 1
    assert span.attributes["http.response.status_code"] == 200
    assert "error.type" not in span.attributes
    assert span.status.status_code is StatusCode.UNSET


@flavours
def test_error_records_its_type_and_error_status(
    flavour: str, chimekit_emulator: EmulatorHandle, spans: InMemorySpanExporter
) -> None:
    """A 404 ends the span with status ERROR, error.type, the status code and an exception event."""
    with pytest.raises(NotFoundError) as caught:
        run(flavour, chimekit_emulator, lambda ck: ck.workflows.get_run("run_missing"))
    (span,) = named(spans, "chimekit.workflows.get_run")
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description == str(caught.value)
    assert span.attributes is not None
    assert span.attributes["error.type"] == "chimekit_core.NotFoundError"
    assert span.attributes["http.response.status_code"] == 404
    assert span.attributes["chimekit.request_id"] == caught.value.request_id
    assert span.attributes["chimekit.retries"] == 0
    assert events(span) == [
        {
            "chimekit.attempt.number": 1,
            "chimekit.attempt.outcome": "error",
            "error.type": "chimekit_core.NotFoundError",
            "http.response.status_code": 404,
        }
    ]
    (exception,) = events(span, "exception")
    assert exception["exception.type"] == "chimekit_core.NotFoundError"
    assert exception["exception.message"] == str(caught.value)
    assert exception["exception.stacktrace"].endswith(f"NotFoundError: {caught.value}\n")


@flavours
def test_traceparent_of_the_span_reaches_the_server(
    flavour: str, chimekit_emulator: EmulatorHandle, spans: InMemorySpanExporter
) -> None:
    """The request carries W3C `traceparent` naming the call's span (the journal keeps it)."""
    identify(flavour, chimekit_emulator)
    chimekit_emulator.clear_journal()
    run(flavour, chimekit_emulator, lambda ck: ck.audience.get("user_1"))
    (span,) = named(spans, "chimekit.audience.get")
    (entry,) = chimekit_emulator.journal()
    assert header(entry, "traceparent") == traceparent(span)


@flavours
def test_span_is_a_child_of_the_callers_span(
    flavour: str, chimekit_emulator: EmulatorHandle, spans: InMemorySpanExporter
) -> None:
    """A call made inside the application's span is that span's child, in its trace."""
    tracer = trace.get_tracer_provider().get_tracer("test")
    with tracer.start_as_current_span("caller") as caller:
        identify(flavour, chimekit_emulator)
    (span,) = named(spans, "chimekit.audience.identify")
    assert span.parent is not None
    assert span.parent.span_id == caller.get_span_context().span_id
    assert span.context is not None
    assert span.context.trace_id == caller.get_span_context().trace_id


@flavours
def test_no_secret_or_token_in_any_span(
    flavour: str, chimekit_emulator: EmulatorHandle, spans: InMemorySpanExporter
) -> None:
    """No attribute, event or status of any span holds the key, a token or `Bearer`."""
    identify(flavour, chimekit_emulator)
    with pytest.raises(NotFoundError):
        run(flavour, chimekit_emulator, lambda ck: ck.messages.get("msg_missing"))
    # A server that echoes the Authorization header into its error message.
    with serve(
        lambda seen: Reply(500, {"error": f"bad {seen.headers['authorization']}"})
    ) as server:
        with pytest.raises(InternalServerError) as echoed:
            run(flavour, server.base_url, lambda ck: ck.audience.get("u"), max_retries=0)
        with pytest.raises(InternalServerError):
            run(
                flavour,
                server.base_url,
                lambda ck: ck.audience.get("u"),
                max_retries=0,
                token_provider=lambda: "tok_secret_123",
            )
    assert "sk_test_tracing" in str(echoed.value)  # the echo did reach the error
    texts: list[str] = []
    for span in spans.get_finished_spans():
        texts += [str(value) for value in (span.attributes or {}).values()]
        for event in span.events:
            texts += [str(value) for value in (event.attributes or {}).values()]
        texts.append(span.status.description or "")
    assert len(spans.get_finished_spans()) == 4
    for secret in (chimekit_emulator.secret_key, "sk_test_tracing", "tok_secret_123", "Bearer"):
        assert [text for text in texts if secret in text] == []
    assert any("[REDACTED]" in text for text in texts)  # the echoes were there, scrubbed


def test_sync_prefetched_pages_nest_under_the_callers_span(
    chimekit_emulator: EmulatorHandle, spans: InMemorySpanExporter
) -> None:
    """Pages fetched ahead on worker threads are children of the span the caller iterates in."""
    tracer = trace.get_tracer_provider().get_tracer("test")
    with ChimeKit(chimekit_emulator.secret_key, base_url=chimekit_emulator.base_url) as ck:
        ck.audience.identify("user_1")
        for _ in range(12):
            ck.messages.send("user_1", content=CONTENT)
        spans.clear()
        with tracer.start_as_current_span("caller") as caller:
            items = list(ck.messages.list_for_member("user_1", limit=5).with_prefetch(2))
    assert len(items) == 12
    pages = named(spans, "chimekit.messages.list_for_member")
    # The first page, then pages that overlap the previous one by an item (limit + 1).
    base = f"{chimekit_emulator.base_url}/messages/members/user_1/messages"
    assert sorted(str(span.attributes["url.full"]) for span in pages if span.attributes) == [
        f"{base}?limit=5&offset=0",
        f"{base}?limit=6&offset=4",
        f"{base}?limit=6&offset=9",
    ]
    caller_context = caller.get_span_context()
    assert [(span.parent.span_id if span.parent else None) for span in pages] == [
        caller_context.span_id
    ] * 3
    assert {span.context.trace_id for span in pages if span.context} == {caller_context.trace_id}


async def test_async_prefetched_pages_nest_under_the_callers_span(
    chimekit_emulator: EmulatorHandle, spans: InMemorySpanExporter
) -> None:
    """Pages fetched ahead on tasks are children of the span the caller iterates in."""
    tracer = trace.get_tracer_provider().get_tracer("test")
    async with AsyncChimeKit(
        chimekit_emulator.secret_key, base_url=chimekit_emulator.base_url
    ) as ck:
        await ck.audience.identify("user_1")
        for _ in range(12):
            await ck.messages.send("user_1", content=CONTENT)
        spans.clear()
        with tracer.start_as_current_span("caller") as caller:
            items = [
                item
                async for item in ck.messages.list_for_member("user_1", limit=5).with_prefetch(2)
            ]
    assert len(items) == 12
    pages = named(spans, "chimekit.messages.list_for_member")
    caller_context = caller.get_span_context()
    assert [(span.parent.span_id if span.parent else None) for span in pages] == [
        caller_context.span_id
    ] * 3


@flavours
def test_every_attempt_against_a_failing_server_carries_the_calls_context(
    flavour: str, spans: InMemorySpanExporter
) -> None:
    """An independent server failing 3 times sees one traceparent; the span records 3 attempts."""
    with serve(lambda seen: Reply(502, {"error": "down"})) as server:
        with pytest.raises(InternalServerError):
            run(flavour, server.base_url, lambda ck: ck.audience.get("u"), retry=FAST)
        seen: list[Seen] = server.requests
    (span,) = named(spans, "chimekit.audience.get")
    assert [request.headers["traceparent"] for request in seen] == [traceparent(span)] * 3
    assert [
        (event["chimekit.attempt.outcome"], event["http.response.status_code"])
        for event in events(span)
    ] == [
        ("retry", 502),
        ("retry", 502),
        ("error", 502),
    ]
    assert span.attributes is not None
    assert span.attributes["chimekit.retries"] == 2


@flavours
def test_connection_failure_records_its_type_without_a_status(
    flavour: str, spans: InMemorySpanExporter
) -> None:
    """A server that closes the connection unanswered: error.type names it, no status code."""

    def hang_up(conn: RawConnection) -> None:
        conn.read_request()
        conn.close()

    with RawServer(hang_up) as server, pytest.raises(APIConnectionError) as caught:
        run(flavour, server.url(), lambda ck: ck.audience.get("u"), max_retries=0)
    (span,) = named(spans, "chimekit.audience.get")
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes is not None
    assert span.attributes["error.type"] == f"chimekit_core.{type(caught.value).__name__}"
    assert "http.response.status_code" not in span.attributes
    assert events(span) == [
        {
            "chimekit.attempt.number": 1,
            "chimekit.attempt.outcome": "error",
            "error.type": f"chimekit_core.{type(caught.value).__name__}",
        }
    ]


@flavours
def test_a_body_that_cannot_be_read_ends_the_span_in_error(
    flavour: str, spans: InMemorySpanExporter
) -> None:
    """A 200 whose member has no id: the call raises, and its span says so, not OK."""

    def answer(conn: RawConnection) -> None:
        while conn.read_request() is not None:
            conn.send(json_response(b'{"member":{"email":"ava@example.com"}}'))

    with RawServer(answer) as server, pytest.raises(APIResponseValidationError) as caught:
        run(flavour, server.url(), lambda ck: ck.audience.get("u"), max_retries=0)
    (span,) = named(spans, "chimekit.audience.get")
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description == str(caught.value)
    assert span.attributes is not None
    assert span.attributes["error.type"] == "chimekit_core.APIResponseValidationError"
    assert span.attributes["http.response.status_code"] == 200
    (exception,) = events(span, "exception")
    assert exception["exception.type"] == "chimekit_core.APIResponseValidationError"


@flavours
def test_without_an_sdk_no_span_and_no_traceparent(
    flavour: str, chimekit_emulator: EmulatorHandle
) -> None:
    """With only opentelemetry-api (its no-op provider), calls send no trace context."""
    assert isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)
    identify(flavour, chimekit_emulator)
    (entry,) = chimekit_emulator.journal()
    assert header(entry, "traceparent") is None
    assert entry["status"] == 200


def test_works_when_opentelemetry_cannot_be_imported(chimekit_emulator: EmulatorHandle) -> None:
    """Both flavours make calls, import nothing of opentelemetry, and send no trace context."""
    script = textwrap.dedent(
        """
        import asyncio, sys
        sys.modules["opentelemetry"] = None  # `import opentelemetry...` now raises ImportError
        from chimekit_async import AsyncChimeKit
        from chimekit_sync import ChimeKit
        from chimekit_core import _tracing

        key, url = sys.argv[1], sys.argv[2]
        with ChimeKit(key, base_url=url) as ck:
            ck.audience.identify("user_1")

        async def main():
            async with AsyncChimeKit(key, base_url=url) as ck:
                await ck.audience.get("user_1")

        asyncio.run(main())
        loaded = sorted(name for name, module in sys.modules.items() if name.startswith("opentelemetry") and module is not None)
        print(_tracing.available(), loaded)
        """
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", script, chimekit_emulator.secret_key, chimekit_emulator.base_url],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "False []\n"
    journal = chimekit_emulator.journal()
    assert [(entry["method"], entry["status"]) for entry in journal] == [
        ("POST", 200),
        ("GET", 200),
    ]
    assert [header(entry, "traceparent") for entry in journal] == [None, None]


MEMBER = {"member": bodies.MEMBER}


@flavours
def test_token_refresh_is_an_attempt_of_its_own_and_no_token_is_recorded(
    flavour: str, spans: InMemorySpanExporter
) -> None:
    """A 401 then a resend with a fresh token: `reauthenticate` then `success`, no token anywhere."""
    tokens = iter(["tok_stale_1", "tok_fresh_2"])

    def handler(seen: Seen) -> Reply:
        if seen.headers["authorization"] == "Bearer tok_stale_1":
            return Reply(401, {"error": "token expired"})
        return Reply(200, MEMBER)

    with serve(handler) as server:
        run(
            flavour,
            server.base_url,
            lambda ck: ck.audience.get("u"),
            token_provider=lambda: next(tokens),
        )
        seen = [request.headers["authorization"] for request in server.requests]
    assert seen == ["Bearer tok_stale_1", "Bearer tok_fresh_2"]
    (span,) = named(spans, "chimekit.audience.get")
    assert events(span) == [
        {
            "chimekit.attempt.number": 1,
            "chimekit.attempt.outcome": "reauthenticate",
            "error.type": "chimekit_core.AuthenticationError",
            "http.response.status_code": 401,
        },
        {
            "chimekit.attempt.number": 2,
            "chimekit.attempt.outcome": "success",
            "http.response.status_code": 200,
        },
    ]
    assert span.status.status_code is StatusCode.UNSET
    assert span.attributes is not None
    assert span.attributes["chimekit.retries"] == 0
    recorded = [str(value) for value in span.attributes.values()]
    recorded += [str(value) for event in span.events for value in (event.attributes or {}).values()]
    assert [text for text in recorded if "tok_" in text or "Bearer" in text] == []


async def test_cancelled_call_ends_its_span_without_an_error(spans: InMemorySpanExporter) -> None:
    """A call cancelled mid-request (a prefetch nobody wants) ends its span, status unset."""
    release = threading.Event()
    arrived = asyncio.Event()
    loop = asyncio.get_running_loop()

    def handler(seen: Seen) -> Reply:
        loop.call_soon_threadsafe(arrived.set)
        release.wait(5)
        return Reply(200, MEMBER)

    with serve(handler) as server:
        async with AsyncChimeKit("sk_test_tracing", base_url=server.base_url) as ck:
            task = asyncio.ensure_future(ck.audience.get("u"))
            await asyncio.wait_for(arrived.wait(), 5)  # the request is on the server
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        release.set()
    (span,) = named(spans, "chimekit.audience.get")
    assert span.status.status_code is StatusCode.UNSET
    assert [event.name for event in span.events] == ["chimekit.cancelled"]
    assert events(span, "chimekit.cancelled") == [
        {"exception.type": "asyncio.exceptions.CancelledError"}
    ]
    assert "error.type" not in (span.attributes or {})


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://api.chimekit.com/sdk/v1/messages/members/u/messages?limit=5&offset=10",
            (
                "api.chimekit.com",
                443,
                "https://api.chimekit.com/sdk/v1/messages/members/u/messages?limit=5&offset=10",
            ),
        ),
        (
            "http://user:pa55@127.0.0.1:8787/sdk/v1/x",
            ("127.0.0.1", 8787, "http://REDACTED:REDACTED@127.0.0.1:8787/sdk/v1/x"),
        ),
        ("http://[::1]:9000/sdk/v1/x", ("::1", 9000, "http://[::1]:9000/sdk/v1/x")),
        ("https://[::1]/sdk/v1", ("::1", 443, "https://[::1]/sdk/v1")),
        ("http://LocalHost/sdk/v1", ("localhost", 80, "http://LocalHost/sdk/v1")),
    ],
)
def test_url_attributes_follow_the_conventions(url: str, expected: tuple[str, int, str]) -> None:
    """server.address/port from the URL (default ports filled in), credentials in it replaced."""
    attributes = _tracing._url_attributes(url)
    assert (
        attributes["server.address"],
        attributes["server.port"],
        attributes["url.full"],
    ) == expected
