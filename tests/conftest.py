"""Fixtures shared by every test package (the emulator fixtures come from chimekit's plugin)."""

from __future__ import annotations

import os
import sys

import pytest

from chimekit_core import RetryPolicy

# Cache compiled bytecode even where PYTHONDONTWRITEBYTECODE is set. Without the cache each of
# the four xdist workers compiles and assertion-rewrites every test module again (about 3 s of
# CPU each) and every child process (the CLI, celery, examples: over a hundred) compiles the
# SDK again. Popped from the environment too, so that workers and children inherit it; the
# __pycache__ folders are git-ignored and codegen skips them.
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


@pytest.fixture
def retry_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record every backoff the retry policy computes, and make the retries not wait."""
    recorded: list[float] = []
    compute = RetryPolicy.wait_before

    def no_wait(self: RetryPolicy, retry_number: int, exc: BaseException | None) -> float:
        recorded.append(compute(self, retry_number, exc))
        return 0.0

    monkeypatch.setattr(RetryPolicy, "wait_before", no_wait)
    return recorded


@pytest.fixture(autouse=True)
def _no_ambient_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests start without the user's CHIMEKIT_* environment or proxy variables."""
    for name in ("CHIMEKIT_SECRET_KEY", "CHIMEKIT_BASE_URL", "CHIMEKIT_LOG"):
        monkeypatch.delenv(name, raising=False)
    # The clients follow HTTP(S)_PROXY/ALL_PROXY like requests do: a developer's proxy
    # must not carry the suite's calls to the local emulator.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


# The longest tests, most expensive first: with xdist they start at once, one per worker.
_LONGEST_FIRST = (
    "integration/test_celery_bulk_example.py",
    "integration/test_celery_example.py",
    "cli/test_resume.py",
)


def _cost_rank(item: pytest.Item) -> int:
    path = item.path.as_posix()
    return next(
        (rank for rank, name in enumerate(_LONGEST_FIRST) if path.endswith(name)),
        len(_LONGEST_FIRST),
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under xdist, put the ``slow`` tests at the head of each worker's first share of tests.

    xdist's worksteal scheduler hands each worker an equal contiguous share of the collection,
    then moves the tails of long queues to idle workers. In collection order both celery tests
    fell in one share and ran one after the other (about 50 s of a 75 s run); dealt out
    round-robin, longest first, they start at once on different workers.
    """
    workers = getattr(config, "workerinput", {}).get("workercount")
    if not workers or workers < 2:
        return
    slow = sorted(
        (item for item in items if item.get_closest_marker("slow") is not None), key=_cost_rank
    )
    fast = [item for item in items if item.get_closest_marker("slow") is None]
    dealt: list[list[pytest.Item]] = [slow[worker::workers] for worker in range(workers)]
    # The shares xdist sends first: len(pending) // idle_workers for each worker in turn.
    remaining = len(items)
    ordered: list[pytest.Item] = []
    for worker in range(workers):
        share = remaining // (workers - worker)
        remaining -= share
        take = share - len(dealt[worker])
        if take < 0:
            return  # a small selection: keep the collection order
        ordered += dealt[worker] + fast[:take]
        del fast[:take]
    items[:] = ordered + fast
