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
