# GENERATED from tests/async_/test_bulk.py by codegen/generate.py: do not edit by hand.
# Edit the async original and run `python codegen/generate.py`.
"""Bulk calls (identify_many, send_many, run_many) against the emulator, over sockets."""

from __future__ import annotations

import re
from collections.abc import Iterator, Callable, Iterator
from contextlib import closing
from typing import Any

import pytest
from support import header, sdk_requests

from chimekit_sync import (
    ChimeKit,
    BulkResult,
    ChimeKitError,
    InternalServerError,
    Member,
    NotFoundError,
    SentMessage,
    WorkflowRunRef,
)
from chimekit_emulator import EmulatorHandle

SEND_PATH = "^/messages/send$"
CONTENT = {"in_app": {"title": "hi"}}


def send_row(user: str) -> dict[str, Any]:
    return {"external_user_id": user, "content": CONTENT}


def order_key(row: dict[str, Any]) -> str:
    return f"order-{row['external_user_id']}"


class Pulled:
    """Rows handed out by a generator, counting how many were pulled so far."""

    def __init__(self, rows: list[dict[str, Any]] | None = None) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        index = 0
        while self.rows is None or index < len(self.rows):
            self.count += 1
            yield self.rows[index] if self.rows is not None else send_row(f"u{index % 5}")
            index += 1


def identify(client: ChimeKit, count: int) -> None:
    rows = [{"external_user_id": f"u{i}"} for i in range(count)]
    results = [result for result in client.audience.identify_many(rows)]
    assert [result.ok for result in results] == [True] * count


def test_results_come_in_input_order_with_their_index(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """Results follow the input order even when the server finishes the rows in another order."""
    identify(chimekit, 16)
    chimekit_emulator.add_fault(method="POST", path=SEND_PATH, delay=0.05, probability=0.5, seed=3)
    rows = [send_row(f"u{i}") for i in range(16)]
    results = [result for result in chimekit.messages.send_many(rows, concurrency=8)]
    assert [result.index for result in results] == list(range(16))
    assert [result.row for result in results] == rows
    assert all(isinstance(result.value, SentMessage) for result in results)
    outbox = chimekit_emulator.outbox()
    user_of = {entry["messageId"]: entry["externalUserId"] for entry in outbox}
    sent_to = [user_of[result.value.message.id] for result in results if result.value]
    assert sent_to == [f"u{i}" for i in range(16)]
    # The server did finish them out of order, so the order above is the engine's doing.
    finished = [entry["externalUserId"] for entry in outbox]
    assert sorted(finished) == sorted(f"u{i}" for i in range(16))
    assert finished != [f"u{i}" for i in range(16)]


def test_rows_are_pulled_lazily_at_most_concurrency_ahead(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """Rows pulled never run more than `concurrency` ahead: the one being read and 3 more."""
    identify(chimekit, 5)
    source = Pulled([send_row(f"u{i % 5}") for i in range(40)])
    ahead = []
    for result in chimekit.messages.send_many(source, concurrency=4):
        ahead.append(source.count - (result.index + 1))
        assert result.ok
    assert max(ahead) == 3
    assert source.count == 40
    assert len(chimekit_emulator.outbox()) == 40


def test_stopping_early_pulls_and_sends_no_more(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """Closing the results after 10 of an endless input leaves the rest of it unread and unsent."""
    identify(chimekit, 5)
    source = Pulled()
    seen = 0
    with closing(chimekit.messages.send_many(source, concurrency=4)) as results:  # type: ignore[type-var]
        for result in results:
            assert result.ok
            seen += 1
            if seen == 10:
                break
    assert source.count == 13
    sends = [e for e in sdk_requests(chimekit_emulator.journal()) if e["path"].endswith("/send")]
    assert 10 <= len(sends) <= 13


def test_a_failing_row_never_stops_the_batch(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """Bad rows and API errors are that row's result; every other row is sent."""
    identify(chimekit, 2)
    rows: list[Any] = [
        send_row("u0"),
        {"content": CONTENT},  # no external_user_id
        {**send_row("u1"), "externalUserId": "u1"},  # a wire name, not an argument name
        send_row("nobody"),  # the API's 404
        {"external_user_id": "u1", "content": {}},  # the single call's own ValueError
        "u1",  # not a mapping
        send_row("u1"),
    ]
    results = [result for result in chimekit.messages.send_many(rows, concurrency=3)]
    assert [result.ok for result in results] == [True, False, False, False, False, False, True]
    errors = [result.error for result in results]
    assert [type(error) for error in errors] == [
        type(None),
        ChimeKitError,
        ChimeKitError,
        NotFoundError,
        ChimeKitError,
        ChimeKitError,
        type(None),
    ]
    assert str(errors[1]) == (
        "row 1 is not a valid messages.send call: "
        "row is missing key 'external_user_id' (required by messages.send)"
    )
    assert str(errors[2]).startswith(
        "row 2 is not a valid messages.send call: row has unknown key 'externalUserId' for "
        "messages.send; allowed: "
    )
    assert type(errors[1].__cause__) is ValueError  # type: ignore[union-attr]
    assert type(errors[4].__cause__) is ValueError  # type: ignore[union-attr]
    assert type(errors[5].__cause__) is TypeError  # type: ignore[union-attr]
    assert all(result.value is None for result in results if not result.ok)
    assert [entry["externalUserId"] for entry in chimekit_emulator.outbox()] == ["u0", "u1"]


def test_async_iterable_rows(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """Rows may come from an async generator (a plain generator in the sync flavour)."""
    identify(chimekit, 3)

    def rows() -> Iterator[dict[str, Any]]:
        for i in range(9):
            yield send_row(f"u{i % 3}")

    results = [result for result in chimekit.messages.send_many(rows(), concurrency=2)]
    assert [(result.index, result.ok) for result in results] == [(i, True) for i in range(9)]
    assert len(chimekit_emulator.outbox()) == 9


def test_rerun_with_idempotency_key_sends_nothing_twice(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """A batch re-run after a crash replays the rows already sent: each message is sent once."""
    identify(chimekit, 20)
    rows = [send_row(f"u{i}") for i in range(20)]
    before_crash = [
        result
        for result in chimekit.messages.send_many(rows[:12], idempotency_key=order_key)
    ]
    rerun = [
        result
        for result in chimekit.messages.send_many(rows, idempotency_key=order_key)
    ]
    assert all(result.ok for result in before_crash + rerun)
    assert [r.value.message.id for r in rerun[:12] if r.value] == [
        r.value.message.id for r in before_crash if r.value
    ]
    outbox = chimekit_emulator.outbox()
    assert sorted(entry["externalUserId"] for entry in outbox) == sorted(f"u{i}" for i in range(20))
    assert {entry["idempotencyKey"] for entry in outbox} == {f"order-u{i}" for i in range(20)}


def test_rerun_without_idempotency_key_sends_again(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """Without idempotency_key each run makes new keys, so a re-run is not deduplicated."""
    identify(chimekit, 3)
    rows = [send_row(f"u{i}") for i in range(3)]
    for _ in range(2):
        assert all([result.ok for result in chimekit.messages.send_many(rows)])
    assert len(chimekit_emulator.outbox()) == 6
    assert len({entry["idempotencyKey"] for entry in chimekit_emulator.outbox()}) == 6


def test_a_rows_own_idempotency_key_is_used(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """A row may carry its own idempotency_key, like the single call's argument."""
    identify(chimekit, 1)
    rows = [{**send_row("u0"), "idempotency_key": "mine-1"}] * 2
    results = [result for result in chimekit.messages.send_many(rows)]
    assert results[0].value == results[1].value
    assert [entry["idempotencyKey"] for entry in chimekit_emulator.outbox()] == ["mine-1"]


def test_a_raising_key_function_fails_only_its_row(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """An idempotency_key function that raises for a row fails that row, with the cause kept."""
    identify(chimekit, 3)

    def key(row: dict[str, Any]) -> str:
        if row["external_user_id"] == "u1":
            raise KeyError("order_id")
        return order_key(row)

    rows = [send_row(f"u{i}") for i in range(3)]
    results = [r for r in chimekit.messages.send_many(rows, idempotency_key=key)]
    assert [result.ok for result in results] == [True, False, True]
    assert type(results[1].error) is ChimeKitError
    assert type(results[1].error.__cause__) is KeyError
    assert len(chimekit_emulator.outbox()) == 2


def test_a_retried_row_keeps_its_idempotency_key(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle, retry_waits: list[float]
) -> None:
    """A 503 is retried with the client's policy, and the retry reuses the row's key."""
    identify(chimekit, 2)
    chimekit_emulator.add_fault(method="POST", path=SEND_PATH, status=503, times=1)
    rows = [send_row("u0"), send_row("u1")]
    results = [r for r in chimekit.messages.send_many(rows, concurrency=1)]
    assert [result.ok for result in results] == [True, True]
    sends = [e for e in sdk_requests(chimekit_emulator.journal()) if e["path"].endswith("/send")]
    keys = [header(entry, "Idempotency-Key") for entry in sends]
    assert len(keys) == 3
    assert keys[0] == keys[1] != keys[2]
    assert len(retry_waits) == 1
    assert len(chimekit_emulator.outbox()) == 2


def test_a_row_fails_once_the_clients_retries_are_spent(
    make_client: Callable[..., ChimeKit], chimekit_emulator: EmulatorHandle
) -> None:
    """With max_retries=0 on the client, a 503 is the row's result at the first try."""
    client = make_client(max_retries=0)
    identify(client, 2)
    chimekit_emulator.add_fault(method="POST", path=SEND_PATH, status=503, times=1)
    rows = [send_row("u0"), send_row("u1")]
    results = [r for r in client.messages.send_many(rows, concurrency=1)]
    assert type(results[0].error) is InternalServerError
    assert results[0].error.status_code == 503
    assert results[1].ok
    assert len(chimekit_emulator.outbox()) == 1


@pytest.mark.parametrize(
    ("rows", "options", "error", "message"),
    [
        (None, {}, TypeError, r"rows must be an iterable (or async iterable )?of mappings, not NoneType"),
        ([], {"concurrency": 0}, ValueError, r"concurrency must be at least 1, got 0"),
        ([], {"concurrency": 2.5}, TypeError, r"concurrency must be an int, not float"),
        ([], {"idempotency_key": "k"}, TypeError, r"idempotency_key must be a function of the row returning a string, not str"),
    ],
)  # fmt: skip
def test_bad_arguments_raise_at_the_call_before_any_request(
    chimekit: ChimeKit,
    chimekit_emulator: EmulatorHandle,
    rows: Any,
    options: dict[str, Any],
    error: type[Exception],
    message: str,
) -> None:
    """A bad argument of the bulk call raises when it is called, not when iterated."""
    with pytest.raises(error) as caught:
        chimekit.messages.send_many(rows, **options)
    assert re.fullmatch(message, str(caught.value))
    assert sdk_requests(chimekit_emulator.journal()) == []


def test_identify_many_upserts_members(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """identify_many takes identify's arguments and returns Members, in order."""
    rows = [
        {"external_user_id": "u0", "display_name": "Ava"},
        {"external_user_id": "u1", "identities": [{"type": "email", "value": "b@example.com"}]},
        {"external_user_id": "", "display_name": "Empty"},
    ]
    results = [result for result in chimekit.audience.identify_many(rows)]
    assert [type(result.value) for result in results] == [Member, Member, type(None)]
    assert results[0].value.display_name == "Ava"  # type: ignore[union-attr]
    assert type(results[2].error) is ChimeKitError
    assert type(results[2].error.__cause__) is ValueError
    member = chimekit.audience.get("u1")
    assert member is not None
    assert member.identities[0].value == "b@example.com"


def test_run_many_queues_runs(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """run_many takes run's arguments (key, external_user_id, context) and returns run refs."""
    identify(chimekit, 2)
    rows = [
        {"key": "welcome", "external_user_id": "u0", "context": {"plan": "pro"}},
        {"key": "welcome", "external_user_id": "u1"},
        {"external_user_id": "u1"},
    ]
    results: list[BulkResult[WorkflowRunRef]] = [
        result for result in chimekit.workflows.run_many(rows)
    ]
    assert [type(result.value) for result in results] == [
        WorkflowRunRef,
        WorkflowRunRef,
        type(None),
    ]
    assert str(results[2].error) == (
        "row 2 is not a valid workflows.run call: row is missing key 'key' (required by "
        "workflows.run)"
    )
    runs = [e for e in sdk_requests(chimekit_emulator.journal()) if e["path"].endswith("/run")]
    assert len(runs) == 2
