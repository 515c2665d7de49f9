"""Sent messages and the in-app notifications they created."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ._audience import MemberRecord, member_from_row
from ._base import Tables, dump, dump_optional, load_optional


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


def _message(row: tuple[Any, ...]) -> MessageRecord:
    notification = None
    if row[11] is not None:
        notification = NotificationRecord(
            id=row[11],
            title=row[12],
            snippet=row[13],
            body=row[14],
            actions=load_optional(row[15]),
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
        delivery=load_optional(row[8]),
        idempotency_key=row[9],
        created_at=row[10],
        notification=notification,
        member=member_from_row(row[18:27]),
    )


class MessageTables(Tables):
    """The ``messages`` and ``notifications`` tables."""

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
    ) -> int:
        """Record a sent message and the notification it created; returns its sequence number."""
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
                dump(payload),
                dump(content),
                dump_optional(delivery),
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
                    dump_optional(notification.actions),
                    notification.read_at,
                    notification.archived_at,
                ),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

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
