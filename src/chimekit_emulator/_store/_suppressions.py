"""Suppressions of a member's identities, global or per category."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._base import Tables


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


class SuppressionTables(Tables):
    """The ``suppressions`` table."""

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
