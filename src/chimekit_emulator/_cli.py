"""``chimekit-emulator`` / ``python -m chimekit_emulator``: serve the emulator until stopped."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sqlite3
import sys
from collections.abc import Sequence
from typing import Any

from ._config import DEFAULT_HOST, DEFAULT_RUN_SECONDS, DEFAULT_SECRET_KEY, EmulatorConfig
from ._faults import FaultRule
from ._fixtures import Fixtures
from ._store import Store, StoreError

SECRET_KEY_ENV = "CHIMEKIT_SECRET_KEY"  # noqa: S105 - a variable name, not a secret
DEFAULT_PORT = 8787


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chimekit-emulator",
        description="A local, stateful emulator of the ChimeKit API (/sdk/v1) with an admin API "
        "(/_emulator) for tests: journal, outbox, fault injection, workflow-run control.",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to listen on (%(default)s)")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="port to listen on; 0 picks a free one"
    )
    parser.add_argument(
        "--secret-key",
        action="append",
        dest="secret_keys",
        metavar="KEY",
        help=f"a bearer token to accept (repeatable); default: ${SECRET_KEY_ENV}, "
        f"else {DEFAULT_SECRET_KEY}",
    )
    parser.add_argument(
        "--data", metavar="PATH.sqlite", help="keep all state in this SQLite file (default: memory)"
    )
    parser.add_argument(
        "--faults", metavar="FILE.json", help="a JSON list of fault rules active from the start"
    )
    parser.add_argument(
        "--fixtures",
        metavar="FILE.json",
        help="the workflows, categories and templates that exist; unknown ones are refused",
    )
    parser.add_argument(
        "--rate-limit",
        type=_rate,
        metavar="N",
        help="at most N requests per second per API key (N or N/s); beyond it 429 with "
        "Retry-After (default: no limit)",
    )
    parser.add_argument(
        "--run-queued-seconds",
        type=float,
        default=DEFAULT_RUN_SECONDS,
        metavar="SECONDS",
        help="how long a workflow run stays queued (%(default)s)",
    )
    parser.add_argument(
        "--run-running-seconds",
        type=float,
        default=DEFAULT_RUN_SECONDS,
        metavar="SECONDS",
        help="how long a workflow run then stays running (%(default)s)",
    )
    return parser


def _rate(text: str) -> int:
    number = text.strip().removesuffix("/s")
    if not number.isdigit() or int(number) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of requests >= 1, got {text!r}")
    return int(number)


def _load_fixtures(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as file:
        data = json.load(file)
    Fixtures.from_dict(data)  # ValueError naming the bad entry
    return data  # type: ignore[no-any-return]


def _load_faults(path: str) -> list[FaultRule]:
    with open(path, encoding="utf-8") as file:
        data = json.load(file)
    if not isinstance(data, list):
        raise ValueError("the file must hold a JSON list of fault rules")
    rules = []
    for index, item in enumerate(data):
        try:
            rules.append(FaultRule.from_dict(item))
        except (ValueError, TypeError) as exc:
            raise ValueError(f"rule {index}: {exc}") from None
    return rules


def _accepted_keys(flags: list[str] | None) -> list[str]:
    if flags:
        return flags
    from_env = os.environ.get(SECRET_KEY_ENV, "").strip()
    return [from_env] if from_env else [DEFAULT_SECRET_KEY]


async def _serve_until_signalled(config: EmulatorConfig) -> None:
    from ._server import root_url, serve  # aiohttp loads here, after the arguments are checked

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Not available on Windows, where Ctrl-C arrives as KeyboardInterrupt instead.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)

    def announce(port: int) -> None:
        print(f"ChimeKit emulator listening on {root_url(config.host, port)}/sdk/v1", flush=True)

    await serve(config, stop, announce)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the emulator until SIGINT or SIGTERM.

    Args:
        argv: The arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit status: 0 after a clean shutdown, 1 when the server cannot start, 2 for bad
        arguments (from argparse).
    """
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        faults = _load_faults(args.faults) if args.faults else []
    except (OSError, ValueError) as exc:
        parser.error(f"--faults {args.faults}: {exc}")
    try:
        fixtures = _load_fixtures(args.fixtures) if args.fixtures else None
    except (OSError, ValueError) as exc:
        parser.error(f"--fixtures {args.fixtures}: {exc}")
    try:
        config = EmulatorConfig(
            host=args.host,
            port=args.port,
            secret_keys=_accepted_keys(args.secret_keys),
            data_path=args.data,
            run_queued_seconds=args.run_queued_seconds,
            run_running_seconds=args.run_running_seconds,
            faults=faults,
            rate_limit=args.rate_limit,
            fixtures=fixtures,
        )
    except ValueError as exc:
        parser.error(str(exc))
    try:
        if config.data_path is not None:
            Store(config.data_path).close()  # an unusable data file fails before the server loads
        asyncio.run(_serve_until_signalled(config))
    except KeyboardInterrupt:
        pass
    except (OSError, StoreError, sqlite3.Error) as exc:
        print(f"chimekit-emulator: error: {exc}", file=sys.stderr)
        return 1
    return 0
