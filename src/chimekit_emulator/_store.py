"""The emulator's state, in SQLite: in memory by default, in a file with ``--data``.

Every write happens inside ``Store.transaction``, and the request pipeline commits before it
sends the response, so with a data file (rollback journal, ``synchronous=FULL``) a ``kill -9``
right after a 2xx loses nothing that was acknowledged.

The store knows tables and rows, not HTTP: records come back as small dataclasses and the
handlers turn them into the API's JSON shapes.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _load_optional(text: str | None) -> Any:
    return None if text is None else json.loads(text)


@dataclass(slots=True)
class MemberRecord:
    """An audience member; ``pk`` is ``None`` until the member is first saved."""

    pk: int | None
    id: str
    external_id: str
    display_name: str | None
    attributes: dict[str, Any] | None
    identities: list[dict[str, Any]]
    created: str
    updated: str
    deleted: str | None

    @property
    def email(self) -> str | None:
        """The value of the member's first email identity."""
        for identity in self.identities:
            if identity.get("type") == "email":
                return str(identity["value"])
        return None


@dataclass(frozen=True, slots=True)
class SuppressionRecord:
    """One suppression of one identity of a member, global or for one category."""

    pk: int
    id: str
    member_pk: int
    identity_type: str
    identity_value: str
    category_id: str | None
    category_name: str | None
    reason: str
    created_at: str
    updated_at: str


@dataclass(frozen=True, slots=True)
class NotificationRecord:
    """The in-app notification a message created."""

    id: str
    title: str | None
    snippet: str | None
    body: str | None
    actions: Any
    read_at: str | None
    archived_at: str | None


@dataclass(frozen=True, slots=True)
class MessageRecord:
    """A sent message with its notification, category name and (current) recipient."""

    seq: int
    id: str
    member: MemberRecord
    category_id: str
    category_name: str
    template_id: str | None
    template_version_id: str | None
    payload: Any
    content: Any
    delivery: Any
    idempotency_key: str | None
    created_at: str
    notification: NotificationRecord | None


@dataclass(frozen=True, slots=True)
class RunRecord:
    """A workflow run; its status is derived from the planned times and ``final_status``."""

    pk: int
    id: str
    workflow_key: str
    member_id: str
    member_external_id: str
    context: dict[str, Any]
    created: float
    starts: float
    finishes: float
    final_status: str


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """The first 2xx response to a request that carried an ``Idempotency-Key``."""

    fingerprint: str
    status: int
    headers: dict[str, str]
    body: bytes
    created: float


_MEMBER_COLUMNS = (
    "pk, id, external_id, display_name, attributes, identities, created, updated, deleted"
)
_MESSAGE_QUERY = """
SELECT m.seq, m.id, m.category_id, c.name, m.template_id, m.template_version_id, m.payload,
       m.content, m.delivery, m.idempotency_key, m.created_at,
       n.id, n.title, n.snippet, n.body, n.actions, n.read_at, n.archived_at,
       p.pk, p.id, p.external_id, p.display_name, p.attributes, p.identities, p.created,
       p.updated, p.deleted
FROM messages AS m
JOIN members AS p ON p.pk = m.member_pk
JOIN categories AS c ON c.id = m.category_id
LEFT JOIN notifications AS n ON n.message_seq = m.seq
"""


def _member(row: sqlite3.Row | tuple[Any, ...]) -> MemberRecord:
    return MemberRecord(
        pk=row[0],
        id=row[1],
        external_id=row[2],
        display_name=row[3],
        attributes=_load_optional(row[4]),
        identities=json.loads(row[5]),
        created=row[6],
        updated=row[7],
        deleted=row[8],
    )


def _message(row: tuple[Any, ...]) -> MessageRecord:
    notification = None
    if row[11] is not None:
        notification = NotificationRecord(
            id=row[11],
            title=row[12],
            snippet=row[13],
            body=row[14],
            actions=_load_optional(row[15]),
            read_at=row[16],
            archived_at=row[17],
        )
    return MessageRecord(
        seq=row[0],
        id=row[1],
        category_id=row[2],
        category_name=row[3],
        template_id=row[4],
        template_version_id=row[5],
        payload=json.loads(row[6]),
        content=json.loads(row[7]),
        delivery=_load_optional(row[8]),
        idempotency_key=row[9],
        created_at=row[10],
        notification=notification,
        member=_member(row[18:27]),
    )


class Store:
    """All persistent emulator state behind one SQLite connection.

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
        # executescript() commits any open transaction first, so the script brings its own.
        self._conn.executescript(
            f"BEGIN IMMEDIATE;\n{_SCHEMA}\n"
            f"INSERT INTO categories (id, name) VALUES ('{DEFAULT_CATEGORY_ID}',"
            f" '{DEFAULT_CATEGORY_NAME}');\n"
            f"PRAGMA user_version={SCHEMA_VERSION};\nCOMMIT;"
        )

    def _seed(self) -> None:
        self._conn.execute(
            "INSERT OR IGNORE INTO categories (id, name) VALUES (?, ?)",
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

    # Members

    def member_by_external_id(self, external_id: str) -> MemberRecord | None:
        """The member with this external id, soft-deleted or not."""
        row = self._conn.execute(
            f"SELECT {_MEMBER_COLUMNS} FROM members WHERE external_id = ?",  # noqa: S608
            (external_id,),
        ).fetchone()
        return None if row is None else _member(row)

    def all_members(self) -> list[MemberRecord]:
        """Every member, soft-deleted or not, in creation order."""
        rows = self._conn.execute(
            f"SELECT {_MEMBER_COLUMNS} FROM members ORDER BY pk"  # noqa: S608
        ).fetchall()
        return [_member(row) for row in rows]

    def save_member(self, member: MemberRecord) -> MemberRecord:
        """Insert a new member (``pk is None``) or update an existing one; returns it."""
        values = (
            member.display_name,
            None if member.attributes is None else _dump(member.attributes),
            _dump(member.identities),
            member.updated,
            member.deleted,
        )
        if member.pk is None:
            cursor = self._conn.execute(
                "INSERT INTO members (display_name, attributes, identities, updated, deleted,"
                " id, external_id, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (*values, member.id, member.external_id, member.created),
            )
            member.pk = cursor.lastrowid
        else:
            self._conn.execute(
                "UPDATE members SET display_name = ?, attributes = ?, identities = ?,"
                " updated = ?, deleted = ? WHERE pk = ?",
                (*values, member.pk),
            )
        return member

    # Categories

    def ensure_category(self, category_id: str) -> str:
        """Return the category's name, creating the category (named after its id) if unknown."""
        self._conn.execute(
            "INSERT OR IGNORE INTO categories (id, name) VALUES (?, ?)", (category_id, category_id)
        )
        row = self._conn.execute(
            "SELECT name FROM categories WHERE id = ?", (category_id,)
        ).fetchone()
        return str(row[0])

    # Suppressions

    def _suppressions(self, where: str, params: tuple[Any, ...]) -> list[SuppressionRecord]:
        rows = self._conn.execute(
            "SELECT s.pk, s.id, s.member_pk, s.identity_type, s.identity_value, s.category_id,"  # noqa: S608
            " c.name, s.reason, s.created_at, s.updated_at FROM suppressions AS s"
            f" LEFT JOIN categories AS c ON c.id = s.category_id WHERE {where} ORDER BY s.pk",
            params,
        ).fetchall()
        return [SuppressionRecord(*row) for row in rows]

    def suppressions_for(self, member_pk: int) -> list[SuppressionRecord]:
        """The member's suppressions, oldest first."""
        return self._suppressions("s.member_pk = ?", (member_pk,))

    def find_suppression(
        self, member_pk: int, identity_type: str, identity_key: str, category_id: str | None
    ) -> SuppressionRecord | None:
        """The suppression of exactly this identity and scope, if there is one."""
        found = self._suppressions(
            "s.member_pk = ? AND s.identity_type = ? AND s.identity_key = ? AND s.scope = ?",
            (member_pk, identity_type, identity_key, category_id or ""),
        )
        return found[0] if found else None

    def suppression_by_id(self, member_pk: int, suppression_id: str) -> SuppressionRecord | None:
        """The member's suppression with this id."""
        found = self._suppressions("s.member_pk = ? AND s.id = ?", (member_pk, suppression_id))
        return found[0] if found else None

    def insert_suppression(
        self,
        *,
        suppression_id: str,
        member_pk: int,
        identity_type: str,
        identity_value: str,
        identity_key: str,
        category_id: str | None,
        reason: str,
        created_at: str,
    ) -> SuppressionRecord:
        """Create a suppression and return it."""
        self._conn.execute(
            "INSERT INTO suppressions (id, member_pk, identity_type, identity_value, identity_key,"
            " category_id, scope, reason, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                suppression_id,
                member_pk,
                identity_type,
                identity_value,
                identity_key,
                category_id,
                category_id or "",
                reason,
                created_at,
                created_at,
            ),
        )
        created = self.suppression_by_id(member_pk, suppression_id)
        assert created is not None
        return created

    def delete_suppression(self, pk: int) -> None:
        """Remove a suppression."""
        self._conn.execute("DELETE FROM suppressions WHERE pk = ?", (pk,))

    def suppression_scope(
        self, member_pk: int, identity_type: str, identity_key: str, category_id: str
    ) -> str | None:
        """Why delivery to this identity in this category is suppressed, or ``None`` if it is not.

        Returns ``""`` for a global suppression, else the category id.
        """
        row = self._conn.execute(
            "SELECT scope FROM suppressions WHERE member_pk = ? AND identity_type = ?"
            " AND identity_key = ? AND scope IN ('', ?) ORDER BY scope LIMIT 1",
            (member_pk, identity_type, identity_key, category_id),
        ).fetchone()
        return None if row is None else str(row[0])

    # Messages

    def insert_message(
        self,
        *,
        message_id: str,
        member_pk: int,
        category_id: str,
        template_id: str | None,
        template_version_id: str | None,
        payload: Any,
        content: Any,
        delivery: Any,
        idempotency_key: str | None,
        created_at: str,
        notification: NotificationRecord | None,
    ) -> None:
        """Record a sent message and the notification it created."""
        cursor = self._conn.execute(
            "INSERT INTO messages (id, member_pk, category_id, template_id, template_version_id,"
            " payload, content, delivery, idempotency_key, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                message_id,
                member_pk,
                category_id,
                template_id,
                template_version_id,
                _dump(payload),
                _dump(content),
                None if delivery is None else _dump(delivery),
                idempotency_key,
                created_at,
            ),
        )
        if notification is not None:
            self._conn.execute(
                "INSERT INTO notifications (id, message_seq, title, snippet, body, actions,"
                " read_at, archived_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    notification.id,
                    cursor.lastrowid,
                    notification.title,
                    notification.snippet,
                    notification.body,
                    None if notification.actions is None else _dump(notification.actions),
                    notification.read_at,
                    notification.archived_at,
                ),
            )

    def message_by_id(self, message_id: str) -> MessageRecord | None:
        """One message with everything the API shows about it."""
        row = self._conn.execute(_MESSAGE_QUERY + " WHERE m.id = ?", (message_id,)).fetchone()
        return None if row is None else _message(row)

    def messages_for(self, member_pk: int, *, limit: int, offset: int) -> list[MessageRecord]:
        """A page of the member's messages, newest (highest sequence) first."""
        rows = self._conn.execute(
            _MESSAGE_QUERY + " WHERE m.member_pk = ? ORDER BY m.seq DESC LIMIT ? OFFSET ?",
            (member_pk, limit, offset),
        ).fetchall()
        return [_message(row) for row in rows]

    def count_messages(self, member_pk: int) -> int:
        """How many messages the member has."""
        row = self._conn.execute(
            "SELECT count(*) FROM messages WHERE member_pk = ?", (member_pk,)
        ).fetchone()
        return int(row[0])

    def all_messages(self) -> list[MessageRecord]:
        """Every message, oldest first (the outbox)."""
        rows = self._conn.execute(_MESSAGE_QUERY + " ORDER BY m.seq").fetchall()
        return [_message(row) for row in rows]

    # Workflow runs

    def insert_run(
        self,
        *,
        run_id: str,
        workflow_key: str,
        member_pk: int,
        context: dict[str, Any],
        created: float,
        starts: float,
        finishes: float,
    ) -> None:
        """Queue a workflow run with its planned start and finish times."""
        self._conn.execute(
            "INSERT INTO workflow_runs (id, workflow_key, member_pk, context, created, starts,"
            " finishes, final_status) VALUES (?, ?, ?, ?, ?, ?, ?, 'completed')",
            (run_id, workflow_key, member_pk, _dump(context), created, starts, finishes),
        )

    def _runs(self, where: str, params: tuple[Any, ...]) -> list[RunRecord]:
        rows = self._conn.execute(
            "SELECT r.pk, r.id, r.workflow_key, p.id, p.external_id, r.context, r.created,"  # noqa: S608
            " r.starts, r.finishes, r.final_status FROM workflow_runs AS r"
            f" JOIN members AS p ON p.pk = r.member_pk WHERE {where} ORDER BY r.pk",
            params,
        ).fetchall()
        return [
            RunRecord(
                pk=row[0],
                id=row[1],
                workflow_key=row[2],
                member_id=row[3],
                member_external_id=row[4],
                context=json.loads(row[5]),
                created=row[6],
                starts=row[7],
                finishes=row[8],
                final_status=row[9],
            )
            for row in rows
        ]

    def run_by_id(self, run_id: str) -> RunRecord | None:
        """One workflow run."""
        found = self._runs("r.id = ?", (run_id,))
        return found[0] if found else None

    def unfinished_runs(self, at: float) -> list[RunRecord]:
        """The runs that have not finished at time ``at``, oldest first."""
        return self._runs("r.finishes > ?", (at,))

    def reschedule_run(self, pk: int, *, starts: float, finishes: float, final_status: str) -> None:
        """Move a run's planned times (the admin API's ``runs/advance``)."""
        self._conn.execute(
            "UPDATE workflow_runs SET starts = ?, finishes = ?, final_status = ? WHERE pk = ?",
            (starts, finishes, final_status, pk),
        )

    # Idempotency records

    def idempotency_record(
        self, api_key_id: str, key: str, not_before: float
    ) -> IdempotencyRecord | None:
        """The stored response for this key, unless it was stored before ``not_before``."""
        row = self._conn.execute(
            "SELECT fingerprint, status, headers, body, created FROM idempotency"
            " WHERE api_key_id = ? AND key = ? AND created >= ?",
            (api_key_id, key, not_before),
        ).fetchone()
        if row is None:
            return None
        return IdempotencyRecord(
            fingerprint=row[0],
            status=row[1],
            headers=json.loads(row[2]),
            body=bytes(row[3]),
            created=row[4],
        )

    def save_idempotency(
        self, api_key_id: str, key: str, record: IdempotencyRecord, *, expire_before: float
    ) -> None:
        """Store a response for later replays and drop records older than ``expire_before``."""
        self._conn.execute("DELETE FROM idempotency WHERE created < ?", (expire_before,))
        self._conn.execute(
            "INSERT OR REPLACE INTO idempotency (api_key_id, key, fingerprint, status, headers,"
            " body, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                api_key_id,
                key,
                record.fingerprint,
                record.status,
                _dump(record.headers),
                record.body,
                record.created,
            ),
        )
