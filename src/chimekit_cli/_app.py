"""The ``chimekit`` command line, on click (commands, options, usage errors) and rich (output).

Exit status: 0 when every row (or the one call) succeeded, 1 when some failed, 2 on usage
errors (click's own, bad option values, bad input files, missing credentials), 130 when
interrupted.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from chimekit_core import APIStatusError, ChimeKitError
from chimekit_core._bulk import DEFAULT_CONCURRENCY
from chimekit_core._version import __version__

from ._batch import BatchOptions, Job, KeyedRow, default_checkpoint, dry_run, run
from ._rows import IDENTIFY_ROW, SEND_ROW, InputError, InputFile, InputFormat, RowSpec, format_for

if TYPE_CHECKING:
    from chimekit_core import MessageListItem
    from chimekit_sync import ChimeKit

ENV_SECRET_KEY = "CHIMEKIT_SECRET_KEY"  # noqa: S105 - the variable's name, the SDK's too
CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"]}


@dataclass(slots=True)
class Settings:
    """The connection options of the ``chimekit`` group; the client is made on first use."""

    secret_key: str | None
    base_url: str | None
    timeout: float | None
    max_retries: int
    _client: ChimeKit | None = field(default=None, init=False, repr=False)

    def client(self) -> ChimeKit:
        """The sync client, closed when the command ends.

        Raises:
            click.UsageError: No credentials or an unusable base URL (exit status 2).
        """
        if self._client is None:
            from chimekit_sync import ChimeKit

            if self.secret_key is None and not os.environ.get(ENV_SECRET_KEY):
                raise click.UsageError(
                    f"no API key: set the {ENV_SECRET_KEY} environment variable "
                    "or pass --secret-key"
                )

            try:
                client = ChimeKit(
                    self.secret_key,
                    base_url=self.base_url,
                    timeout=self.timeout,
                    max_retries=self.max_retries,
                )
            except (ChimeKitError, ValueError, TypeError) as exc:
                raise click.UsageError(str(exc)) from None
            self._client = click.get_current_context().with_resource(client)
        return self._client


class JSONObject(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.5 on
    """A JSON object given as text on the command line."""

    name = "JSON"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Parse ``value``; anything but a JSON object is a usage error."""
        if isinstance(value, dict):
            return value
        try:
            data = json.loads(value)
        except json.JSONDecodeError as exc:
            self.fail(f"not valid JSON: {exc.msg} (at character {exc.pos})", param, ctx)
        if not isinstance(data, dict):
            self.fail("must be a JSON object ({...})", param, ctx)
        return data


def _echo_json(value: Any) -> None:
    click.echo(json.dumps(value.to_dict(), ensure_ascii=False))


def _call_failed(exc: ChimeKitError) -> click.ClickException:
    """An API error of a one-call command: printed on stderr, exit status 1."""
    if isinstance(exc, APIStatusError):
        where = f", request id {exc.request_id}" if exc.request_id else ""
        return click.ClickException(
            f"{exc.message} ({exc.status_code} {type(exc).__name__}{where})"
        )
    return click.ClickException(f"{exc} ({type(exc).__name__})")


@click.group(context_settings=CONTEXT_SETTINGS)
@click.option(
    "--secret-key",
    metavar="KEY",
    help="API secret key [default: $CHIMEKIT_SECRET_KEY].",
)
@click.option(
    "--base-url",
    metavar="URL",
    help="API root [default: $CHIMEKIT_BASE_URL, else https://api.chimekit.com/sdk/v1].",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="Seconds allowed for each request.",
)
@click.option(
    "--max-retries",
    type=click.IntRange(min=0),
    default=2,
    show_default=True,
    help="Retries of each request after the first try.",
)
@click.version_option(__version__, prog_name="chimekit")
@click.pass_context
def cli(
    ctx: click.Context,
    secret_key: str | None,
    base_url: str | None,
    timeout: float,
    max_retries: int,
) -> None:
    """The ChimeKit API from the shell.

    Import an audience and send messages at volume from JSONL or CSV files, read a member's
    message history, run workflows and follow their runs.

    Credentials and the API root come from the same environment variables as the SDK
    (CHIMEKIT_SECRET_KEY, CHIMEKIT_BASE_URL), or from the options above.
    """
    ctx.obj = Settings(secret_key, base_url, timeout, max_retries)


def _bulk_options(command: Any) -> Any:
    """The options every long command shares (applied bottom-up, so listed in reverse)."""
    for option in reversed(
        [
            click.option(
                "--concurrency",
                type=click.IntRange(min=1, max=256),
                default=DEFAULT_CONCURRENCY,
                show_default=True,
                help="Requests in flight at once.",
            ),
            click.option(
                "--dry-run",
                is_flag=True,
                help="Check every row and report each bad one by line and field; send nothing.",
            ),
            click.option(
                "--errors",
                "errors_path",
                type=click.Path(dir_okay=False, writable=True, path_type=Path),
                help="Write one JSON line per failed row (line, key, error) to this file.",
            ),
            click.option(
                "--resume",
                is_flag=True,
                help="Continue from the checkpoint of an earlier, interrupted run of this file.",
            ),
            click.option(
                "--checkpoint",
                "checkpoint_path",
                type=click.Path(dir_okay=False, writable=True, path_type=Path),
                help="Checkpoint file [default: FILE.checkpoint.json next to the input].",
            ),
            click.option(
                "--input-format",
                type=click.Choice(["jsonl", "csv"]),
                help="Input format [default: from the suffix: .jsonl/.ndjson or .csv].",
            ),
        ]
    ):
        command = option(command)
    return command


def _run_file(
    ctx: click.Context,
    path: Path,
    spec: RowSpec,
    job: Job,
    *,
    input_format: str | None,
    concurrency: int,
    dry: bool,
    errors_path: Path | None,
    resume: bool,
    checkpoint_path: Path | None,
) -> None:
    try:
        source = InputFile(path, format_for(path, cast("InputFormat | None", input_format)), spec)
        source.check_header()
    except InputError as exc:
        raise click.UsageError(str(exc)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise click.UsageError(f"cannot read {path}: {exc}") from None
    if dry and resume:
        raise click.UsageError("--dry-run and --resume cannot be used together")
    options = BatchOptions(
        concurrency=concurrency,
        dry_run=dry,
        errors_path=errors_path,
        resume=resume,
        checkpoint_path=checkpoint_path or default_checkpoint(path),
    )
    try:
        if dry:
            status = dry_run(source, job, options)
        else:
            settings: Settings = ctx.find_object(Settings)  # type: ignore[assignment]
            status = run(settings.client(), source, job, options)
    except UnicodeDecodeError as exc:
        raise click.UsageError(f"{path.name} is not UTF-8 text ({exc.reason})") from None
    ctx.exit(status)


def _identify_many(
    client: ChimeKit, rows: Iterable[KeyedRow], concurrency: int, key: Any
) -> Iterator[Any]:
    return iter(client.audience.identify_many(rows, concurrency=concurrency, idempotency_key=key))


def _send_many(
    client: ChimeKit, rows: Iterable[KeyedRow], concurrency: int, key: Any
) -> Iterator[Any]:
    return iter(client.messages.send_many(rows, concurrency=concurrency, idempotency_key=key))


IMPORT_JOB = Job(
    command="audience import", key_kind="identify", done_verb="imported", call=_identify_many
)
SEND_JOB = Job(command="messages send", key_kind="send", done_verb="sent", call=_send_many)

_FILE = click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)


@cli.group(context_settings=CONTEXT_SETTINGS)
def audience() -> None:
    """Members of the audience."""


@audience.command("import")
@click.argument("file", type=_FILE)
@_bulk_options
@click.pass_context
def audience_import(ctx: click.Context, /, file: Path, **options: Any) -> None:
    """Identify every member listed in FILE (JSONL, or CSV with a header row).

    Fields (JSON keys or CSV columns): externalUserId (required), displayName,
    identities (a JSON array), attributes (a JSON object). In CSV, identities and
    attributes hold JSON text and an empty cell leaves the field out.
    """
    _run_file(ctx, file, IDENTIFY_ROW, IMPORT_JOB, dry=options.pop("dry_run"), **options)


@cli.group(context_settings=CONTEXT_SETTINGS)
def messages() -> None:
    """Messages: send at volume, read a member's history."""


@messages.command("send")
@click.option("--file", "file", type=_FILE, required=True, help="The messages, JSONL or CSV.")
@_bulk_options
@click.pass_context
def messages_send(ctx: click.Context, /, file: Path, **options: Any) -> None:
    """Send every message listed in --file (JSONL, or CSV with a header row).

    Fields: externalUserId (required), content (required, a JSON object: templateId
    with variables, or in_app/email channels), categoryId.
    """
    _run_file(ctx, file, SEND_ROW, SEND_JOB, dry=options.pop("dry_run"), **options)


@messages.command("history")
@click.argument("user")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "jsonl"]),
    default="table",
    show_default=True,
    help="A table for people, or one JSON object per line for programs.",
)
@click.option(
    "--max-items",
    type=click.IntRange(min=1),
    help="Show at most this many messages, newest first [default: all].",
)
@click.pass_context
def messages_history(
    ctx: click.Context, user: str, output_format: str, max_items: int | None
) -> None:
    """Show the messages sent to USER (an externalUserId), newest first."""
    settings: Settings = ctx.find_object(Settings)  # type: ignore[assignment]
    client = settings.client()
    page_size = min(100, max_items) if max_items is not None else 100
    try:
        items = client.messages.list_for_member(user, limit=page_size, max_items=max_items)
        if output_format == "jsonl":
            for item in items:
                _echo_json(item)
        else:
            _print_table(items)
    except (ValueError, TypeError) as exc:
        raise click.UsageError(str(exc)) from None
    except ChimeKitError as exc:
        raise _call_failed(exc) from None


def _print_table(items: Iterable[MessageListItem]) -> None:
    from rich.console import Console
    from rich.table import Table

    headers = ("CREATED", "MESSAGE", "CATEGORY", "STATUS", "SNIPPET")
    rows: list[tuple[str, ...]] = []
    for item in items:
        message = item.message
        created = message.created_at
        category = item.category.name if item.category is not None else message.category_id
        rows.append(
            (
                created.replace(microsecond=0).isoformat().replace("+00:00", "Z")
                if created
                else "",
                message.id,
                category or "",
                message.dispatch_status or "",
                " ".join((message.snippet or "").split()),
            )
        )
    table = Table(box=None, pad_edge=False, header_style="bold")
    for index, header in enumerate(headers[:-1]):
        # The short columns keep their width; only the snippet is cut to fit the terminal.
        width = max([len(header), *(len(row[index]) for row in rows)])
        table.add_column(header, no_wrap=True, min_width=width)
    table.add_column(headers[-1], no_wrap=True, overflow="ellipsis")
    for row in rows:
        table.add_row(*row)
    console = Console(soft_wrap=False)
    if not console.is_terminal:
        # Piped into grep or a file: whole snippets, not cut to an imaginary 80 columns.
        natural = console.measure(table, options=console.options.update_width(1 << 16)).maximum
        console.width = max(console.width, natural)
    console.print(table)


@cli.group(context_settings=CONTEXT_SETTINGS)
def workflows() -> None:
    """Workflows: start a run."""


@workflows.command("run")
@click.argument("key")
@click.argument("user")
@click.option("--context", "context", type=JSONObject(), help="The run's context, a JSON object.")
@click.option(
    "--idempotency-key",
    metavar="KEY",
    help="Run at most once per key (a repeated command returns the first run).",
)
@click.pass_context
def workflows_run(
    ctx: click.Context,
    key: str,
    user: str,
    context: dict[str, Any] | None,
    idempotency_key: str | None,
) -> None:
    """Start workflow KEY for USER (an externalUserId); print the run as JSON."""
    settings: Settings = ctx.find_object(Settings)  # type: ignore[assignment]
    client = settings.client()
    arguments: dict[str, Any] = {}
    if context is not None:
        arguments["context"] = context
    if idempotency_key is not None:
        arguments["idempotency_key"] = idempotency_key
    try:
        ref = client.workflows.run(key, user, **arguments)
    except (ValueError, TypeError) as exc:
        raise click.UsageError(str(exc)) from None
    except ChimeKitError as exc:
        raise _call_failed(exc) from None
    _echo_json(ref)


@cli.group(context_settings=CONTEXT_SETTINGS)
def runs() -> None:
    """Workflow runs: look one up, follow it to the end."""


@runs.command("get")
@click.argument("run_id")
@click.option(
    "--follow",
    is_flag=True,
    help="Keep polling; print the run again at each change of status, until it finishes.",
)
@click.option(
    "--poll-interval",
    type=click.FloatRange(min=0.05),
    default=1.0,
    show_default=True,
    help="Seconds between polls with --follow.",
)
@click.pass_context
def runs_get(ctx: click.Context, run_id: str, follow: bool, poll_interval: float) -> None:
    """Print workflow run RUN_ID as JSON.

    With --follow, the command ends once the run has finished: exit status 0 when it
    completed, 1 when it ended in any other status (failed).
    """
    settings: Settings = ctx.find_object(Settings)  # type: ignore[assignment]
    client = settings.client()
    try:
        current = client.workflows.get_run(run_id)
        _echo_json(current)
        if not follow:
            return
        while current.finished_at is None:
            time.sleep(poll_interval)
            latest = client.workflows.get_run(run_id)
            if latest.status != current.status or latest.finished_at is not None:
                _echo_json(latest)
            current = latest
    except (ValueError, TypeError) as exc:
        raise click.UsageError(str(exc)) from None
    except ChimeKitError as exc:
        raise _call_failed(exc) from None
    ctx.exit(0 if current.status == "completed" else 1)


def main(argv: list[str] | None = None) -> None:
    """Run the ``chimekit`` command (the console script's entry point); exits the process."""
    cli.main(args=argv, prog_name="chimekit")
