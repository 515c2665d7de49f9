"""The checkpoint of a long import or send, for ``--resume``.

It records the last line up to which every row has its result (results arrive in input
order, so that prefix only grows), the counts so far, and how long the ``--errors`` report
was then. It is replaced atomically (write a temporary file, then ``os.replace``), so a
process killed at any moment leaves either the previous checkpoint or the new one.

Rows after the checkpoint may have been sent before the kill; ``--resume`` sends them again
with the same row-derived idempotency keys, so the API answers them from its idempotency
store instead of acting twice.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

VERSION: Final = 1
EVERY_ROWS: Final = 500
"""A checkpoint is written after at most this many rows."""


class CheckpointError(Exception):
    """The checkpoint cannot be used for this run."""


@dataclass(slots=True)
class Checkpoint:
    """Progress through one input file by one command."""

    command: str
    file: str
    sha256: str
    line: int = 0
    rows: int = 0
    succeeded: int = 0
    failed: int = 0
    errors_file: str | None = None
    errors_offset: int = 0
    complete: bool = False

    def save(self, path: Path) -> None:
        """Replace the checkpoint at ``path`` atomically."""
        temporary = path.with_name(f".{path.name}.tmp")
        data = {"version": VERSION, **asdict(self)}
        with temporary.open("w", encoding="utf-8") as file:
            json.dump(data, file, indent=2)
            file.write("\n")
        os.replace(temporary, path)

    @classmethod
    def load(cls, path: Path, *, command: str, sha256: str) -> Checkpoint:
        """Read a checkpoint and check that it belongs to this command and this exact file.

        Raises:
            CheckpointError: Unreadable, another version, another command or another file.
        """
        try:
            data: Any = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CheckpointError(f"cannot read the checkpoint {path}: {exc}") from None
        if not isinstance(data, dict) or data.pop("version", None) != VERSION:
            raise CheckpointError(f"{path} is not a chimekit checkpoint (version {VERSION})")
        try:
            checkpoint = cls(**data)
        except TypeError:
            raise CheckpointError(f"{path} is not a chimekit checkpoint") from None
        if checkpoint.command != command:
            raise CheckpointError(
                f"the checkpoint {path} is for `chimekit {checkpoint.command}`, not `{command}`"
            )
        if checkpoint.sha256 != sha256:
            raise CheckpointError(
                f"the input file changed since the checkpoint {path} was written; "
                "resuming would skip or repeat rows (start again without --resume)"
            )
        return checkpoint
