"""The store's connection, schema, transactions and the categories every resource refers to."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE members (
    pk           INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    external_id  TEXT NOT NULL UNIQUE,
    display_name TEXT,
    attributes   TEXT,
    identities   TEXT NOT NULL,
    created      TEXT NOT NULL,
    updated      TEXT NOT NULL,
    deleted      TEXT
);
CREATE TABLE categories (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
CREATE TABLE suppressions (
    pk             INTEGER PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    member_pk      INTEGER NOT NULL REFERENCES members (pk),
    identity_type  TEXT NOT NULL,
    identity_value TEXT NOT NULL,
    identity_key   TEXT NOT NULL,
    category_id    TEXT REFERENCES categories (id),
    scope          TEXT NOT NULL,
    reason         TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    UNIQUE (member_pk, identity_type, identity_key, scope)
);
CREATE TABLE messages (
    seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
    id                  TEXT NOT NULL UNIQUE,
    member_pk           INTEGER NOT NULL REFERENCES members (pk),
    category_id         TEXT NOT NULL REFERENCES categories (id),
    template_id         TEXT,
    template_version_id TEXT,
    payload             TEXT NOT NULL,
    content             TEXT NOT NULL,
    delivery            TEXT,
    idempotency_key     TEXT,
    created_at          TEXT NOT NULL
);
CREATE INDEX messages_by_member ON messages (member_pk, seq);
CREATE TABLE notifications (
    id          TEXT PRIMARY KEY,
    message_seq INTEGER NOT NULL UNIQUE REFERENCES messages (seq),
    title       TEXT,
    snippet     TEXT,
    body        TEXT,
    actions     TEXT,
    read_at     TEXT,
    archived_at TEXT
);
CREATE TABLE workflow_runs (
    pk           INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    workflow_key TEXT NOT NULL,
    member_pk    INTEGER NOT NULL REFERENCES members (pk),
    context      TEXT NOT NULL,
    created      REAL NOT NULL,
    starts       REAL NOT NULL,
    finishes     REAL NOT NULL,
    final_status TEXT NOT NULL
);
CREATE TABLE idempotency (
    api_key_id  TEXT NOT NULL,
    key         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status      INTEGER NOT NULL,
    headers     TEXT NOT NULL,
    body        BLOB NOT NULL,
    created     REAL NOT NULL,
    PRIMARY KEY (api_key_id, key)
);
CREATE INDEX idempotency_by_age ON idempotency (created);
"""

_TABLES = (
    "idempotency",
    "workflow_runs",
    "notifications",
    "messages",
    "suppressions",
    "members",
    "categories",
)

DEFAULT_CATEGORY_ID = "cat_default"
DEFAULT_CATEGORY_NAME = "Default"


class StoreError(Exception):
    """The data file cannot be used (another program's database, a newer schema)."""


def dump(value: Any) -> str:
    """Compact JSON text for a column."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def dump_optional(value: Any) -> str | None:
    """JSON text for a nullable column (``None`` stays SQL NULL)."""
    return None if value is None else dump(value)


def load_optional(text: str | None) -> Any:
    """The value of a nullable JSON column."""
    return None if text is None else json.loads(text)


class Tables:
    """What every part of the store shares: the one connection."""

    _conn: sqlite3.Connection


class StoreBase(Tables):
    """Opening, migrating, transactions, reset, and the categories messages and suppressions use.

    Args:
        path: A data file, created if missing; ``None`` keeps everything in memory.

    Raises:
        StoreError: ``path`` is not an emulator data file of a supported version.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        target = ":memory:" if path is None else os.fspath(path)
        self._conn = sqlite3.connect(target, isolation_level=None)
        try:
            self._conn.execute("PRAGMA journal_mode=DELETE")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._migrate(target)
        except BaseException:
            self._conn.close()
            raise

    def _migrate(self, target: str) -> None:
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return
        has_tables = self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if version != 0 or has_tables:
            raise StoreError(
                f"{target} is not a chimekit emulator data file of schema version "
                f"{SCHEMA_VERSION} (found user_version {version})"
            )
        # executescript() commits an open transaction first, so the script opens its own and
        # the seed and the version stamp join it: a crash leaves either nothing or everything.
        self._conn.executescript(f"BEGIN IMMEDIATE;\n{_SCHEMA}")
        try:
            self._seed()
            self._conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def _seed(self) -> None:
        self._conn.execute(
            "INSERT INTO categories (id, name) VALUES (?, ?)",
            (DEFAULT_CATEGORY_ID, DEFAULT_CATEGORY_NAME),
        )

    def close(self) -> None:
        """Close the connection; uncommitted work (there is none between requests) is lost."""
        self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block in one write transaction, committed on success, rolled back on error.

        Nested use joins the outer transaction.
        """
        if self._conn.in_transaction:
            yield
            return
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def reset(self) -> None:
        """Delete every row of every table and restore the default category."""
        with self.transaction():
            for table in _TABLES:
                self._conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
            self._seed()

    # Categories

    def ensure_category(self, category_id: str, name: str | None = None) -> str:
        """Return the category's name, creating it (named ``name``, else its id) if unknown."""
        self._conn.execute(
            "INSERT OR IGNORE INTO categories (id, name) VALUES (?, ?)",
            (category_id, name or category_id),
        )
        row = self._conn.execute(
            "SELECT name FROM categories WHERE id = ?", (category_id,)
        ).fetchone()
        return str(row[0])
