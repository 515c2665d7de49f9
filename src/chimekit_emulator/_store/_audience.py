"""Audience members."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from ._base import Tables, dump, dump_optional, load_optional


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


MEMBER_COLUMNS = (
    "pk, id, external_id, display_name, attributes, identities, created, updated, deleted"
)


def member_from_row(row: sqlite3.Row | tuple[Any, ...]) -> MemberRecord:
    """A member from the nine ``MEMBER_COLUMNS`` of a row."""
    return MemberRecord(
        pk=row[0],
        id=row[1],
        external_id=row[2],
        display_name=row[3],
        attributes=load_optional(row[4]),
        identities=json.loads(row[5]),
        created=row[6],
        updated=row[7],
        deleted=row[8],
    )


class AudienceTables(Tables):
    """The ``members`` table."""

    def member_by_external_id(self, external_id: str) -> MemberRecord | None:
        """The member with this external id, soft-deleted or not."""
        row = self._conn.execute(
            f"SELECT {MEMBER_COLUMNS} FROM members WHERE external_id = ?",  # noqa: S608
            (external_id,),
        ).fetchone()
        return None if row is None else member_from_row(row)

    def all_members(self) -> list[MemberRecord]:
        """Every member, soft-deleted or not, in creation order."""
        rows = self._conn.execute(
            f"SELECT {MEMBER_COLUMNS} FROM members ORDER BY pk"  # noqa: S608
        ).fetchall()
        return [member_from_row(row) for row in rows]

    def save_member(self, member: MemberRecord) -> MemberRecord:
        """Insert a new member (``pk is None``) or update an existing one; returns it."""
        values = (
            member.display_name,
            dump_optional(member.attributes),
            dump(member.identities),
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
