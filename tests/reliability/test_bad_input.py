"""Hostile input: a request the API accepts, a named 4xx, or a named ValueError/TypeError.

Never another exception type, never a request to another endpoint: the journal of every example
is checked, and each id must arrive as exactly one path segment of the expected endpoint.
"""

from __future__ import annotations

import asyncio
import http.client
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from chimekit_async import APIStatusError, AsyncChimeKit, ChimeKitError
from chimekit_emulator import EmulatorHandle
from chimekit_sync import ChimeKit

from . import strategies as hs

pytestmark = pytest.mark.filterwarnings(
    # Hypothesis warns when it prints a failing example holding a ~1 MB string.
    "ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning"
)

MEMBER = "fuzz_member"
FLAVOURS = ["async", "sync"]
FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI stays deterministic
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # one emulator per test, shared by its examples
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
# Field names the API's 400 messages use; a 400 must name one of them.
WIRE_FIELDS = (
    "externalUserId",
    "displayName",
    "attributes",
    "identities",
    "identity",
    "content",
    "context",
    "categoryId",
    "Idempotency-Key",
)


@dataclass(frozen=True)
class Operation:
    """One SDK call with one hostile argument, and where it may go.

    Attributes:
        call: ``call(client, value)``: the call, sync or a coroutine.
        method: The HTTP method it must use.
        path: ``path(value)``: the decoded path segments after ``/sdk/v1``.
        names: The argument names an input error must mention (any of them).
    """

    call: Callable[[Any, Any], Any]
    method: str
    path: Callable[[Any], list[str]]
    names: tuple[str, ...]


PATH_ID_OPERATIONS = {
    "audience.get": Operation(
        lambda ck, v: ck.audience.get(v),
        "GET",
        lambda v: ["audience", "members", v],
        ("external_user_id",),
    ),
    "audience.delete": Operation(
        lambda ck, v: ck.audience.delete(v),
        "DELETE",
        lambda v: ["audience", "members", v],
        ("external_user_id",),
    ),
    "suppressions.list": Operation(
        lambda ck, v: ck.audience.suppressions.list(v),
        "GET",
        lambda v: ["audience", "members", v, "suppressions"],
        ("external_user_id",),
    ),
    "suppressions.remove": Operation(
        lambda ck, v: ck.audience.suppressions.remove(MEMBER, v),
        "DELETE",
        lambda v: ["audience", "members", MEMBER, "suppressions", v],
        ("suppression_id",),
    ),
    "suppressions.remove(member)": Operation(
        lambda ck, v: ck.audience.suppressions.remove(v, "sup_1"),
        "DELETE",
        lambda v: ["audience", "members", v, "suppressions", "sup_1"],
        ("external_user_id",),
    ),
    "messages.get": Operation(
        lambda ck, v: ck.messages.get(v),
        "GET",
        lambda v: ["messages", v],
        ("message_id",),
    ),
    "messages.list_for_member": Operation(
        lambda ck, v: ck.messages.list_for_member(v, limit=5).first_page(),
        "GET",
        lambda v: ["messages", "members", v, "messages"],
        ("external_user_id",),
    ),
    "workflows.run(key)": Operation(
        lambda ck, v: ck.workflows.run(v, MEMBER),
        "POST",
        lambda v: ["workflows", v, "run"],
        ("key",),
    ),
    "workflows.get_run": Operation(
        lambda ck, v: ck.workflows.get_run(v),
        "GET",
        lambda v: ["workflows", "runs", v],
        ("run_id",),
    ),
    "messages.send(external_user_id)": Operation(
        lambda ck, v: ck.messages.send(v, content={"templateId": "t"}),
        "POST",
        lambda v: ["messages", "send"],
        ("external_user_id",),
    ),
    "audience.identify(external_user_id)": Operation(
        lambda ck, v: ck.audience.identify(v),
        "POST",
        lambda v: ["audience", "identify"],
        ("external_user_id",),
    ),
}

MEMBER_FIELD_OPERATIONS = {
    "identify(display_name)": Operation(
        lambda ck, v: ck.audience.identify(MEMBER, display_name=v),
        "POST",
        lambda v: ["audience", "identify"],
        ("display_name",),
    ),
    "identify(attributes)": Operation(
        lambda ck, v: ck.audience.identify(MEMBER, attributes=v),
        "POST",
        lambda v: ["audience", "identify"],
        ("attributes",),
    ),
    "update(display_name)": Operation(
        lambda ck, v: ck.audience.update(MEMBER, display_name=v),
        "PUT",
        lambda v: ["audience", "members", MEMBER],
        ("display_name",),
    ),
    "update(attributes)": Operation(
        lambda ck, v: ck.audience.update(MEMBER, attributes=v),
        "PUT",
        lambda v: ["audience", "members", MEMBER],
        ("attributes",),
    ),
    "identify(identities)": Operation(
        lambda ck, v: ck.audience.identify(MEMBER, identities=[{"type": "email", "value": v}]),
        "POST",
        lambda v: ["audience", "identify"],
        ("identities",),
    ),
    "suppressions.add(identity)": Operation(
        lambda ck, v: ck.audience.suppressions.add(MEMBER, identity={"type": "email", "value": v}),
        "POST",
        lambda v: ["audience", "members", MEMBER, "suppressions"],
        ("identity",),
    ),
    "workflows.run(context)": Operation(
        lambda ck, v: ck.workflows.run("flow", MEMBER, context=v),
        "POST",
        lambda v: ["workflows", "flow", "run"],
        ("context",),
    ),
    "messages.send(category_id)": Operation(
        lambda ck, v: ck.messages.send(MEMBER, content={"templateId": "t"}, category_id=v),
        "POST",
        lambda v: ["messages", "send"],
        ("category_id",),
    ),
}

CONTENT_OPERATION = Operation(
    lambda ck, v: ck.messages.send(MEMBER, content=v),
    "POST",
    lambda v: ["messages", "send"],
    ("content",),
)


def call_with(flavour: str, base_url: str, key: str, operation: Operation, value: Any) -> Any:
    """Run one operation with a fresh client of ``flavour``; returns its result or raises."""
    if flavour == "sync":
        with ChimeKit(key, base_url=base_url, max_retries=0, timeout=10) as client:
            return operation.call(client, value)

    async def run() -> Any:
        async with AsyncChimeKit(key, base_url=base_url, max_retries=0, timeout=10) as client:
            return await operation.call(client, value)

    return asyncio.run(run())


def check_paths(journal: list[dict[str, Any]], operation: Operation, value: Any) -> None:
    """Every journaled request went to the operation's endpoint, the id as one segment."""
    for entry in journal:
        assert entry["method"] == operation.method
        raw_path, _, query = entry["path"].partition("?")
        segments = raw_path.split("/")[1:]
        assert segments[:2] == ["sdk", "v1"], entry["path"]
        expected = operation.path(value)
        assert len(segments) - 2 == len(expected), entry["path"][:200]
        for raw, wanted in zip(segments[2:], expected, strict=True):
            assert raw not in (".", ".."), "a dot segment would be resolved by servers"
            assert unquote(raw, errors="strict") == wanted
        if query:
            assert set(parse_qs(query, keep_blank_values=True)) == {"limit", "offset"}


def check_outcome(
    outcome: BaseException | None, journal: list[dict[str, Any]], operation: Operation
) -> None:
    """A success, a named 4xx from the API, or a named input error before any request."""
    if outcome is None:
        assert len(journal) == 1
        return
    if isinstance(outcome, ValueError | TypeError) and not isinstance(outcome, ChimeKitError):
        message = str(outcome)
        assert type(outcome) in (ValueError, TypeError), repr(outcome)  # not a stray subclass
        assert any(name in message for name in operation.names), message
        assert journal == [], "the input was refused only after a request was sent"
        return
    assert isinstance(outcome, APIStatusError), repr(outcome)
    assert 400 <= outcome.status_code < 500, repr(outcome)
    assert len(journal) == 1
    message = outcome.message
    if outcome.status_code == 404:
        assert "not found" in message
    elif outcome.status_code == 413:
        assert "request body is larger than" in message
    else:
        assert any(field in message for field in WIRE_FIELDS), message


def exercise(emulator: EmulatorHandle, flavour: str, operation: Operation, value: Any) -> Any:
    """Run the operation on ``value`` and check the outcome and the journal."""
    emulator.clear_journal()
    outcome: BaseException | None = None
    result: Any = None
    try:
        result = call_with(flavour, emulator.base_url, emulator.secret_key, operation, value)
    except Exception as exc:  # judged below: only named input errors and 4xx pass
        outcome = exc
    journal = emulator.journal()
    event(f"outcome: {'sent' if outcome is None else type(outcome).__name__}")
    check_paths(journal, operation, value)
    check_outcome(outcome, journal, operation)
    return result


@pytest.fixture
def fuzz_emulator(chimekit_emulator: EmulatorHandle) -> EmulatorHandle:
    """The emulator with the member that the operations address."""
    with ChimeKit(chimekit_emulator.secret_key, base_url=chimekit_emulator.base_url) as client:
        client.audience.identify(MEMBER)
    return chimekit_emulator


@pytest.mark.parametrize("flavour", FLAVOURS)
@FUZZ
@given(
    name=st.sampled_from(sorted(PATH_ID_OPERATIONS)),
    value=hs.ids,
)
def test_hostile_ids_reach_their_endpoint_or_are_refused_by_name(
    fuzz_emulator: EmulatorHandle, flavour: str, name: str, value: Any
) -> None:
    """Any id (surrogates, '/', '..', '%', ~1 MB, non-str) stays one segment of its endpoint or is a named error."""
    exercise(fuzz_emulator, flavour, PATH_ID_OPERATIONS[name], value)


@pytest.mark.parametrize("flavour", FLAVOURS)
@FUZZ
@given(
    name=st.sampled_from(sorted(MEMBER_FIELD_OPERATIONS)),
    value=hs.weighted((1, hs.display_names), (1, hs.attributes)),
)
def test_hostile_member_fields_are_sent_intact_or_refused_by_name(
    fuzz_emulator: EmulatorHandle, flavour: str, name: str, value: Any
) -> None:
    """Display names, attributes, identities, contexts: sent, a named 4xx, or a named input error."""
    result = exercise(fuzz_emulator, flavour, MEMBER_FIELD_OPERATIONS[name], value)
    if result is not None and name.endswith("(display_name)"):
        assert result.display_name == value  # arrived intact, control characters and all


@pytest.mark.parametrize("flavour", FLAVOURS)
@FUZZ
@given(value=hs.contents)
def test_hostile_message_content_is_sent_or_refused_by_name(
    fuzz_emulator: EmulatorHandle, flavour: str, value: Any
) -> None:
    """Message content of any shape: sent, a 400 naming the field, or a ValueError/TypeError naming content."""
    exercise(fuzz_emulator, flavour, CONTENT_OPERATION, value)


ALL_OPERATIONS = {
    **PATH_ID_OPERATIONS,
    **MEMBER_FIELD_OPERATIONS,
    "messages.send": CONTENT_OPERATION,
}


@pytest.mark.parametrize("flavour", FLAVOURS)
@FUZZ
@given(name=st.sampled_from(sorted(ALL_OPERATIONS)), value=hs.junk)
def test_values_of_the_wrong_type_are_refused_by_name_or_sent_as_null(
    fuzz_emulator: EmulatorHandle, flavour: str, name: str, value: Any
) -> None:
    """bytes, sets, numbers, objects where a string or object belongs: a TypeError naming it (None: null)."""
    exercise(fuzz_emulator, flavour, ALL_OPERATIONS[name], value)


# -- header values ------------------------------------------------------------------------------


def _header_calls(flavour: str, emulator: EmulatorHandle, source: str, value: Any) -> None:
    """Use ``value`` as the header value ``source`` says, with a fresh client."""
    key = emulator.secret_key
    base_url = emulator.base_url
    options: dict[str, Any] = {"max_retries": 0}
    call_options: dict[str, Any] = {}
    if source == "default_headers":
        options["default_headers"] = {"X-Custom": value}
    elif source == "token_provider":
        options["token_provider"] = lambda: value
        key = None
    elif source == "extra_headers":
        call_options["extra_headers"] = {"X-Custom": value}
    else:
        call_options["idempotency_key"] = value

    def send(client: Any) -> Any:
        return client.messages.send(MEMBER, content={"templateId": "t"}, **call_options)

    if flavour == "sync":
        with ChimeKit(key, base_url=base_url, **options) as client:
            send(client)
        return

    async def run() -> None:
        async with AsyncChimeKit(key, base_url=base_url, **options) as client:
            await send(client)

    asyncio.run(run())


HEADER_SOURCES = ["default_headers", "extra_headers", "idempotency_key", "token_provider"]


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("source", HEADER_SOURCES)
@settings(FUZZ, max_examples=30)
@given(value=hs.line_breaking)
def test_header_values_with_cr_or_lf_are_refused(
    fuzz_emulator: EmulatorHandle, flavour: str, source: str, value: str
) -> None:
    """CR, LF or NUL in default_headers, extra_headers, idempotency_key or a token: ValueError, nothing sent."""
    fuzz_emulator.clear_journal()
    with pytest.raises(ValueError, match=source) as caught:
        _header_calls(flavour, fuzz_emulator, source, value)
    assert type(caught.value) is ValueError
    assert fuzz_emulator.journal() == []


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("source", HEADER_SOURCES)
@settings(FUZZ, max_examples=30)
@given(value=hs.header_values)
def test_any_header_value_is_sent_as_given_or_refused_by_name(
    fuzz_emulator: EmulatorHandle, flavour: str, source: str, value: Any
) -> None:
    """Any header value: sent exactly (both flavours alike) or a ValueError/TypeError naming its source."""
    fuzz_emulator.clear_journal()
    refused: Exception | None = None
    try:
        _header_calls(flavour, fuzz_emulator, source, value)
    except (ValueError, TypeError, ChimeKitError) as exc:
        refused = exc
    journal = fuzz_emulator.journal()
    if isinstance(refused, APIStatusError):
        # An empty, blank or over-long idempotency key, or a token the API does not know.
        assert refused.status_code in (400, 401), repr(refused)
        expected = "Idempotency-Key" if refused.status_code == 400 else "invalid API key"
        assert expected in refused.message
        assert source in ("idempotency_key", "token_provider")
        return
    if isinstance(refused, ChimeKitError):
        assert source == "token_provider", repr(refused)  # a blank or non-string token
        assert "token_provider" in str(refused)
        assert journal == []
        return
    if refused is not None:
        assert type(refused) in (ValueError, TypeError), repr(refused)
        assert source in str(refused), str(refused)  # the argument is named
        assert journal == []
        return
    (entry,) = journal
    headers = {name.lower(): sent for name, sent in entry["headers"].items()}
    if source in ("default_headers", "extra_headers"):
        assert headers["x-custom"] == value.strip(" \t")  # HTTP trims whitespace around values
    elif source == "idempotency_key" and value is not None:  # None: the SDK makes one
        assert headers["idempotency-key"] == value.strip(" \t")


def test_emulator_journal_survives_a_non_utf8_header(chimekit_emulator: EmulatorHandle) -> None:
    """The emulator's journal stays readable after a request whose header is not UTF-8."""
    host, port = chimekit_emulator.base_url.removeprefix("http://").split("/")[0].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request(
            "GET", "/sdk/v1/audience/members/x", headers={"X-Latin-1": "caf\xe9"}
        )  # http.client sends header values as Latin-1: the byte 0xE9 is not UTF-8
        connection.getresponse().read()
    finally:
        connection.close()
    (entry,) = chimekit_emulator.journal()
    assert entry["path"] == "/sdk/v1/audience/members/x"
