"""Helpers shared by the test modules (plain functions, not fixtures)."""

from __future__ import annotations

from typing import Any


def header(entry: dict[str, Any], name: str) -> str | None:
    """A request header from an emulator journal entry, looked up case-insensitively."""
    for key, value in entry["headers"].items():
        if key.lower() == name.lower():
            return str(value)
    return None


def sdk_requests(journal: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The journal entries of API calls (the admin API is not journaled, but be explicit)."""
    return [entry for entry in journal if entry["path"].startswith("/sdk/v1")]
