"""Workflow runs and their planned schedule."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ._base import Tables, dump


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


class WorkflowTables(Tables):
    """The ``workflow_runs`` table."""

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
        final_status: str = "completed",
    ) -> None:
        """Queue a workflow run with its planned start and finish times and its outcome."""
        self._conn.execute(
            "INSERT INTO workflow_runs (id, workflow_key, member_pk, context, created, starts,"
            " finishes, final_status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run_id,
                workflow_key,
                member_pk,
                dump(context),
                created,
                starts,
                finishes,
                final_status,
            ),
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
