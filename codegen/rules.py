"""The one source of the unasync rules: directories, name replacements, hand-written files.

Every replacement listed here must be used by at least one source file of its rule;
``generate.py --check`` fails on an unused one, so stale rules cannot pile up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Names that exist in both flavours; unasync's default would turn AsyncX into SyncX.
_CLIENT_NAMES = {
    "AsyncChimeKit": "ChimeKit",
    "AsyncPaginator": "Paginator",
    "AsyncAudience": "Audience",
    "AsyncSuppressions": "Suppressions",
    "AsyncMessages": "Messages",
    "AsyncWorkflows": "Workflows",
}


@dataclass(frozen=True)
class DirRule:
    """Generate ``target`` from ``source`` (both relative to the repository root).

    Attributes:
        replacements: Name-token replacements on top of unasync's defaults.
        prose: Plain-text replacements applied after unasync converted the code: for
            docstrings and comments, which unasync leaves alone, and for the odd annotation
            that reads better written out than converted name by name.
        hand_written: Files that are written by hand on both sides, never generated.
    """

    source: str
    target: str
    replacements: dict[str, str] = field(default_factory=dict)
    prose: dict[str, str] = field(default_factory=dict)
    hand_written: frozenset[str] = frozenset()

    @property
    def source_dir(self) -> Path:
        """Absolute source directory (unasync must get absolute paths)."""
        return ROOT / self.source

    @property
    def target_dir(self) -> Path:
        """Absolute target directory."""
        return ROOT / self.target


RULES: tuple[DirRule, ...] = (
    DirRule(
        source="src/chimekit_async",
        target="src/chimekit_sync",
        replacements={
            **_CLIENT_NAMES,
            "AsyncRetrying": "Retrying",
            # `Awaitable[X]` becomes `Union[X]`, which is just X: token providers and page
            # fetchers return plain values in the sync flavour.
            "Awaitable": "Union",
            # The HTTP stack the caller may hand in.
            "aiohttp": "urllib3",
            "ClientSession": "PoolManager",
            "session": "pool",
            "_session_arg": "_pool_arg",
        },
        prose={
            "The asynchronous ChimeKit client (aiohttp).": (
                "The synchronous ChimeKit client (urllib3)."
            ),
            "The asynchronous ChimeKit client.": "The synchronous ChimeKit client.",
            "from chimekit_async import": "from chimekit_sync import",
            "A callable (sync or async) returning": "A callable returning",
            (
                "session: An ``aiohttp.ClientSession`` you own (and close); by default the client\n"
                "            manages its own, one per event loop."
            ): (
                "pool: A ``urllib3.PoolManager`` you own (and close); by default the client\n"
                "            manages its own, one per process (a forked child makes a new one)."
            ),
            "a session you passed is left open": "a pool you passed is left open",
            # `Awaitable` -> `Union` makes this `str | Union[str]`: say what it means.
            "Callable[[], str | Union[str]]": "Callable[[], str]",
            # Bulk rows: `AsyncIterable` -> `Iterable` doubles the union.
            "Iterable[Mapping[str, Any]] | Iterable[Mapping[str, Any]]": (
                "Iterable[Mapping[str, Any]]"
            ),
            "any iterable of rows (in async code also an async iterable)": "any iterable of rows",
        },
        hand_written=frozenset({"_transport.py", "_concurrency.py"}),
    ),
    DirRule(
        source="tests/async_",
        target="tests/sync",
        replacements={
            "AsyncChimeKit": "ChimeKit",
            "AsyncPaginator": "Paginator",
            "chimekit_async": "chimekit_sync",
            "async_chimekit": "chimekit",
            "make_async_client": "make_client",
            "aclosing": "closing",
        },
    ),
)

GENERATED_HEADER = (
    "# GENERATED from {source} by codegen/generate.py: do not edit by hand.\n"
    "# Edit the async original and run `python codegen/generate.py`.\n"
)
