"""Running a file of rows through a bulk call: progress, error report, checkpoint, exit status.

The CLI uses the sync client: the bulk call runs its concurrency on its own worker threads,
so this module stays straight-line code in the main thread, where results arrive in input
order and are counted, reported and checkpointed one by one, and Ctrl-C is an ordinary
``KeyboardInterrupt``.
"""

from __future__ import annotations

import json
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from chimekit_core import APIStatusError, AuthenticationError, PermissionDeniedError

from ._checkpoint import EVERY_ROWS, Checkpoint, CheckpointError
from ._rows import InputFile, Row

if TYPE_CHECKING:
    from chimekit_sync import ChimeKit

EXIT_OK: Final = 0
EXIT_SOME_FAILED: Final = 1
EXIT_INTERRUPTED: Final = 130


class KeyedRow(dict[str, Any]):
    """A row as keyword arguments for the bulk call, carrying its line and idempotency key."""

    __slots__ = ("key", "line")

    def __init__(self, keywords: Mapping[str, Any], *, line: int, key: str) -> None:
        super().__init__(keywords)
        self.line = line
        self.key = key


BulkCall = Callable[["ChimeKit", Iterable[KeyedRow], int, Callable[[Any], str]], Iterator[Any]]
"""Starts the bulk method: ``(client, rows, concurrency, idempotency_key) -> results``."""


@dataclass(frozen=True, slots=True)
class Job:
    """One kind of long work: which command, which key namespace, which bulk method."""

    command: str
    key_kind: str
    done_verb: str
    call: BulkCall


@dataclass(frozen=True, slots=True)
class BatchOptions:
    """The options every long command shares."""

    concurrency: int
    dry_run: bool
    errors_path: Path | None
    resume: bool
    checkpoint_path: Path | None


def row_key(kind: str, digest: str, line: int) -> str:
    """The idempotency key of the row at ``line`` of the file whose SHA-256 is ``digest``.

    The same file gives the same keys on every run, so a row sent again (after a kill, or a
    run repeated without ``--resume``) is answered from the API's idempotency store.
    """
    return f"chimekit-cli-{kind}-{digest[:32]}-{line}"


def default_checkpoint(path: Path) -> Path:
    """Where the checkpoint of ``path`` goes unless ``--checkpoint`` says otherwise."""
    return path.with_name(f"{path.name}.checkpoint.json")


class _RateColumn(ProgressColumn):
    """Rows per second, from rich's own speed estimate."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("-- rows/s" if speed is None else f"{speed:,.0f} rows/s", style="cyan")


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        _RateColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        disable=not console.is_terminal,
    )


def error_json(exc: BaseException) -> dict[str, Any]:
    """The ``error`` object of the ``--errors`` report for a failed call."""
    if isinstance(exc, APIStatusError):
        return {
            "type": type(exc).__name__,
            "status": exc.status_code,
            "message": exc.message,
            "requestId": exc.request_id,
        }
    return {"type": type(exc).__name__, "message": str(exc)}


def invalid_json(row: Row) -> dict[str, Any]:
    """The ``error`` object of the ``--errors`` report for a row that failed its checks."""
    return {
        "type": "InvalidRow",
        "message": "; ".join(str(error) for error in row.errors),
        "fields": [{"field": error.field, "message": error.message} for error in row.errors],
    }


class _Run:
    """The mutable state of one run: counts, the error report and the checkpoint."""

    def __init__(
        self,
        source: InputFile,
        job: Job,
        options: BatchOptions,
        checkpoint: Checkpoint,
        errors: IO[str] | None,
    ) -> None:
        self.source = source
        self.job = job
        self.options = options
        self.checkpoint = checkpoint
        self.errors = errors
        self.advance: Callable[[], None] = lambda: None
        self._since_save = 0

    def key(self, line: int) -> str:
        return row_key(self.job.key_kind, self.checkpoint.sha256, line)

    def record(self, row: Row, error: dict[str, Any] | None) -> None:
        """Count one finished row, report it when it failed, and checkpoint every so often."""
        checkpoint = self.checkpoint
        checkpoint.rows += 1
        checkpoint.line = row.line
        if error is None:
            checkpoint.succeeded += 1
        else:
            checkpoint.failed += 1
            entry = {
                "line": row.line,
                "key": self.key(row.line),
                "externalUserId": _external_user_id(row),
                "error": error,
            }
            if self.errors is not None:
                self.errors.write(json.dumps(entry, ensure_ascii=False) + "\n")
            else:
                click.echo(
                    f"{self.source.path.name}:{row.line}: {error['type']}: {error['message']}",
                    err=True,
                )
        self.advance()
        self._since_save += 1
        if self._since_save >= EVERY_ROWS:
            self.save()

    def save(self) -> None:
        """Write the checkpoint (after the error report, so it never counts a lost line)."""
        if self.options.checkpoint_path is None:
            return
        if self.errors is not None:
            self.errors.flush()
            self.checkpoint.errors_offset = self.errors.tell()
        self.checkpoint.save(self.options.checkpoint_path)
        self._since_save = 0


def _open_errors(options: BatchOptions, checkpoint: Checkpoint) -> IO[str] | None:
    path = options.errors_path
    if path is None:
        checkpoint.errors_file = None
        return None
    resolved = str(path.resolve())
    if options.resume and checkpoint.errors_file == resolved and path.exists():
        # Lines written after the checkpoint belong to rows that are about to run again.
        os.truncate(path, checkpoint.errors_offset)
        handle = path.open("a", encoding="utf-8")
    else:
        handle = path.open("w", encoding="utf-8")
    checkpoint.errors_file = resolved
    checkpoint.errors_offset = handle.tell()
    return handle


def _load_checkpoint(source: InputFile, job: Job, options: BatchOptions, digest: str) -> Checkpoint:
    fresh = Checkpoint(command=job.command, file=str(source.path.resolve()), sha256=digest)
    path = options.checkpoint_path
    if not options.resume or path is None:
        return fresh
    if not path.exists():
        click.echo(f"No checkpoint at {path}: starting from the first row.", err=True)
        return fresh
    try:
        return Checkpoint.load(path, command=job.command, sha256=digest)
    except CheckpointError as exc:
        raise click.UsageError(str(exc)) from None


def dry_run(source: InputFile, job: Job, options: BatchOptions) -> int:
    """Check every row and report each bad one by line and field; send nothing.

    Returns:
        0 when every row is valid, 1 otherwise.
    """
    digest = source.digest()
    source.count()  # a decoding error surfaces before any report
    rows = bad = 0
    errors = options.errors_path.open("w", encoding="utf-8") if options.errors_path else None
    try:
        for row in source.rows():
            rows += 1
            if row.ok:
                continue
            bad += 1
            for error in row.errors:
                click.echo(f"{source.path.name}:{row.line}: {error}", err=True)
            if errors is not None:
                entry = {
                    "line": row.line,
                    "key": row_key(job.key_kind, digest, row.line),
                    "externalUserId": _external_user_id(row),
                    "error": invalid_json(row),
                }
                errors.write(json.dumps(entry, ensure_ascii=False) + "\n")
    finally:
        if errors is not None:
            errors.close()
    click.echo(
        f"Dry run: {rows} rows checked, {bad} invalid; nothing was sent.",
        err=True,
    )
    return EXIT_SOME_FAILED if bad else EXIT_OK


def _external_user_id(row: Row) -> str | None:
    value = row.fields.get("externalUserId")
    return value if isinstance(value, str) else None


def run(client: ChimeKit, source: InputFile, job: Job, options: BatchOptions) -> int:
    """Send every row of ``source`` through ``job``'s bulk call.

    Returns:
        0 when every row succeeded, 1 when some failed, 130 when interrupted (the
        checkpoint is saved first, so ``--resume`` continues).

    Raises:
        UnicodeDecodeError: The file is not UTF-8 (found before anything is sent).
    """
    digest = source.digest()
    total = source.count()  # reads the whole file: a decoding error surfaces now
    checkpoint = _load_checkpoint(source, job, options, digest)
    verb = job.done_verb
    if checkpoint.complete:
        click.echo(f"The checkpoint says this file was already {verb}; nothing to do.", err=True)
        _summary(source, checkpoint, options, total, verb, interrupted=False)
        return EXIT_SOME_FAILED if checkpoint.failed else EXIT_OK
    try:
        errors = _open_errors(options, checkpoint)
    except OSError as exc:
        raise click.UsageError(f"cannot write the error report: {exc}") from None
    state = _Run(source, job, options, checkpoint, errors)
    try:
        try:
            # At once, not after 500 rows: a stale checkpoint must not outlive this run's
            # start, and a place we cannot write to is better found before sending.
            state.save()
        except OSError as exc:
            raise click.UsageError(
                f"cannot write the checkpoint: {exc} (choose another place with --checkpoint)"
            ) from None
        stop = _send(client, source, job, options, state, total)
    finally:
        if errors is not None:
            errors.close()
    _summary(source, checkpoint, options, total, verb, interrupted=stop is _INTERRUPTED)
    if stop is _INTERRUPTED:
        return EXIT_INTERRUPTED
    if isinstance(stop, _Refused):
        refusal = stop.error
        click.echo(
            f"Stopped before line {stop.line}: the API refused the credentials "
            f"({refusal.status_code} {type(refusal).__name__}: {refusal.message}), "
            "so every row would fail. "
            "Fix the key and run the same command with --resume.",
            err=True,
        )
        return EXIT_SOME_FAILED
    return EXIT_SOME_FAILED if checkpoint.failed else EXIT_OK


@dataclass(frozen=True, slots=True)
class _Refused:
    """The API refused the credentials at ``line``: the run stopped before recording it."""

    line: int
    error: APIStatusError


_INTERRUPTED: Final = object()
"""``_send`` stopped on Ctrl-C."""


def _send(
    client: ChimeKit, source: InputFile, job: Job, options: BatchOptions, state: _Run, total: int
) -> object | _Refused | None:
    """Run the rows after the checkpoint through the bulk call.

    Returns:
        ``None`` when every row has its result, ``_INTERRUPTED`` on Ctrl-C, or ``_Refused``
        at the first 401/403: a bad key fails every row alike, so the run stops there, with
        that row and the ones after it left for ``--resume``.
    """
    checkpoint = state.checkpoint
    # Every row waits here in file order, bad ones too, so that each is recorded (and the
    # checkpoint moves) in file order although only the good ones go to the bulk call.
    pending: deque[Row] = deque()

    def feed() -> Iterator[KeyedRow]:
        for row in source.rows(after_line=checkpoint.line):
            pending.append(row)
            if row.ok:
                yield KeyedRow(source.spec.keywords(row), line=row.line, key=state.key(row.line))

    def record_invalid() -> None:
        while pending and not pending[0].ok:
            bad = pending.popleft()
            state.record(bad, invalid_json(bad))

    with _progress(Console(stderr=True)) as progress:
        task = progress.add_task(job.done_verb.capitalize(), total=total, completed=checkpoint.rows)
        state.advance = lambda: progress.advance(task)
        results = job.call(client, feed(), options.concurrency, _key_of)
        try:
            for result in results:
                record_invalid()
                if isinstance(result.error, AuthenticationError | PermissionDeniedError):
                    return _Refused(pending[0].line, result.error)
                state.record(pending.popleft(), None if result.ok else error_json(result.error))
            record_invalid()
            checkpoint.complete = True
        except KeyboardInterrupt:
            return _INTERRUPTED
        finally:
            close = getattr(results, "close", None)
            if close is not None:
                close()  # stop the workers that have not started
            state.save()
    return None


def _key_of(row: Any) -> str:
    key: str = row.key
    return key


def _summary(
    source: InputFile,
    checkpoint: Checkpoint,
    options: BatchOptions,
    total: int,
    verb: str,
    interrupted: bool,
) -> None:
    text = (
        f"{source.path.name}: {checkpoint.succeeded} of {total} rows {verb}, "
        f"{checkpoint.failed} failed"
    )
    if checkpoint.failed and options.errors_path is not None:
        text += f" (see {options.errors_path})"
    click.echo(text + ".", err=True)
    if interrupted and options.checkpoint_path is not None:
        click.echo(
            f"Interrupted after line {checkpoint.line}; run the same command with --resume "
            "to continue.",
            err=True,
        )
