"""`chimekit messages history USER`: a table for people, JSON lines (the API's own form) for programs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chimekit_emulator import EmulatorHandle
from chimekit_sync import ChimeKit

from .runner import run_cli


@pytest.fixture
def history(chimekit: ChimeKit) -> list[dict[str, Any]]:
    """Member u1 with three messages; returns the API's own history items, newest first."""
    chimekit.audience.identify("u1", identities=[{"type": "email", "value": "u1@example.com"}])
    chimekit.messages.send("u1", content={"in_app": {"title": "Hi", "snippet": "Welcome  aboard"}})
    chimekit.messages.send("u1", content={"templateId": "tpl_digest"}, category_id="news")
    chimekit.messages.send("u1", content={"in_app": {"title": "Bye", "snippet": "See you"}})
    items: list[dict[str, Any]] = chimekit.request("GET", "/messages/members/u1/messages")[
        "messages"
    ]
    return items


def test_jsonl_prints_each_item_as_the_api_sent_it(
    chimekit_emulator: EmulatorHandle, history: list[dict[str, Any]]
) -> None:
    """--format jsonl prints one object per message, newest first, equal to the API's JSON."""
    result = run_cli("messages", "history", "u1", "--format", "jsonl", emulator=chimekit_emulator)
    assert result.returncode == 0, result.stderr
    assert [json.loads(line) for line in result.stdout.splitlines()] == history
    assert result.stderr == ""


def test_max_items_stops_early(
    chimekit_emulator: EmulatorHandle, history: list[dict[str, Any]]
) -> None:
    """--max-items N prints the N newest messages and asks for no more than one page of N."""
    chimekit_emulator.clear_journal()
    result = run_cli(
        "messages",
        "history",
        "u1",
        "--format",
        "jsonl",
        "--max-items",
        "2",
        emulator=chimekit_emulator,
    )
    assert result.returncode == 0, result.stderr
    assert [json.loads(line) for line in result.stdout.splitlines()] == history[:2]
    assert [e["path"] for e in chimekit_emulator.journal()] == [
        "/sdk/v1/messages/members/u1/messages?limit=2&offset=0"
    ]


def test_table_has_one_row_per_message(
    chimekit_emulator: EmulatorHandle, history: list[dict[str, Any]]
) -> None:
    """The default table shows created (to the second), id, category, status and snippet per message."""
    result = run_cli("messages", "history", "u1", emulator=chimekit_emulator)
    assert result.returncode == 0, result.stderr

    def created(item: dict[str, Any]) -> str:
        return item["message"]["createdAt"][:19] + "Z"

    ids = [item["message"]["id"] for item in history]
    assert [line.rstrip() for line in result.stdout.splitlines()] == [
        f"CREATED               MESSAGE{' ' * (len(ids[0]) - 5)}CATEGORY  STATUS      SNIPPET",
        f"{created(history[0])}  {ids[0]}  Default   dispatched  See you",
        f"{created(history[1])}  {ids[1]}  news      dispatched",
        f"{created(history[2])}  {ids[2]}  Default   dispatched  Welcome aboard",
    ]


def test_history_of_an_unknown_member_exits_1(chimekit_emulator: EmulatorHandle) -> None:
    """An API error of a one-call command is one line on stderr with its status and request id; exit 1."""
    result = run_cli("messages", "history", "ghost", emulator=chimekit_emulator)
    assert result.returncode == 1
    (entry,) = chimekit_emulator.journal()
    assert result.stderr == (
        f'Error: member "ghost" not found (404 NotFoundError, request id {entry["requestId"]})\n'
    )
    assert result.stdout == ""


def test_piped_table_keeps_long_snippets_whole(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """Into a pipe, the table is as wide as its content: a 300-character snippet is not cut."""
    snippet = " ".join(f"word{n:03d}" for n in range(30))
    chimekit.audience.identify("u1")
    sent = chimekit.messages.send("u1", content={"in_app": {"title": "T", "snippet": snippet}})
    result = run_cli("messages", "history", "u1", emulator=chimekit_emulator, env={"COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    header, row = result.stdout.splitlines()
    assert header.split() == ["CREATED", "MESSAGE", "CATEGORY", "STATUS", "SNIPPET"]
    assert row.split("  ")[1] == sent.message.id
    assert row.endswith(f"  {snippet}")
