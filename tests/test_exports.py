"""The exported names of both flavours: exactly the contract's, shared where they must be."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path
from types import ModuleType

import pytest

import chimekit_async
import chimekit_core
import chimekit_sync

ROOT = Path(__file__).resolve().parents[1]

MODELS = {
    "AudienceMemberRef",
    "Category",
    "ChannelContent",
    "EmailContent",
    "EmailIdentity",
    "Identity",
    "InAppContent",
    "Member",
    "Message",
    "MessageDetail",
    "MessageListItem",
    "MessageSummary",
    "Notification",
    "Page",
    "Recipient",
    "SentMessage",
    "Suppression",
    "SuppressionIdentity",
    "TemplateContent",
    "WorkflowRun",
    "WorkflowRunRef",
}
EXCEPTIONS = {
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ChimeKitError",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "UnprocessableEntityError",
}
# Per-call options and the "argument not given" marker, for users who wrap the client.
OPTIONS = {"NOT_GIVEN", "NotGiven", "RequestOptions"}
# The outcome of one row of a bulk call (identify_many, send_many, run_many).
BULK = {"BulkResult"}
SHARED = MODELS | EXCEPTIONS | OPTIONS | BULK

EXPECTED = {
    chimekit_async: SHARED | {"AsyncChimeKit", "AsyncPaginator", "__version__"},
    chimekit_sync: SHARED | {"ChimeKit", "Paginator", "__version__"},
}
FLAVOURS = pytest.mark.parametrize("module", list(EXPECTED), ids=lambda module: module.__name__)


@FLAVOURS
def test_all_is_exactly_the_contract(module: ModuleType) -> None:
    """__all__ names the contract's classes and nothing else, each once."""
    assert sorted(module.__all__) == sorted(set(module.__all__))
    assert set(module.__all__) == EXPECTED[module]


@FLAVOURS
def test_every_exported_name_exists(module: ModuleType) -> None:
    """Each name in __all__ is an attribute of the package."""
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert missing == []


@FLAVOURS
def test_no_public_name_outside_all(module: ModuleType) -> None:
    """A public name is in __all__ or it does not exist: everything else starts with '_'."""
    public = {name for name in vars(module) if not name.startswith("_")}
    assert public <= set(module.__all__)


@pytest.mark.parametrize("name", sorted(SHARED))
def test_models_and_exceptions_are_the_same_objects_in_both_flavours(name: str) -> None:
    """chimekit_sync.X is chimekit_async.X is chimekit_core.X, so `except` matches across them."""
    assert getattr(chimekit_sync, name) is getattr(chimekit_async, name)
    assert getattr(chimekit_async, name) is getattr(chimekit_core, name)


def test_exception_hierarchy_is_the_contracts() -> None:
    """The tree of the contract, class by class."""
    parents = {
        "APIConnectionError": "ChimeKitError",
        "APITimeoutError": "APIConnectionError",
        "APIResponseValidationError": "ChimeKitError",
        "APIStatusError": "ChimeKitError",
        "BadRequestError": "APIStatusError",
        "AuthenticationError": "APIStatusError",
        "PermissionDeniedError": "APIStatusError",
        "NotFoundError": "APIStatusError",
        "ConflictError": "APIStatusError",
        "UnprocessableEntityError": "APIStatusError",
        "RateLimitError": "APIStatusError",
        "InternalServerError": "APIStatusError",
    }
    for child, parent in parents.items():
        assert getattr(chimekit_async, child).__bases__ == (getattr(chimekit_async, parent),)
    assert chimekit_async.ChimeKitError.__bases__ == (Exception,)


def test_version_is_the_distributions() -> None:
    """Both flavours expose __version__, equal to the installed distribution's version."""
    assert chimekit_async.__version__ == chimekit_sync.__version__
    assert chimekit_async.__version__ == metadata.version("chimekit")


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [("chimekit_sync", "aiohttp"), ("chimekit_async", "urllib3"), ("chimekit_core", "aiohttp")],
)
def test_a_flavour_does_not_import_the_other_http_library(module: str, forbidden: str) -> None:
    """`import chimekit_sync` leaves aiohttp alone, and `import chimekit_async` urllib3."""
    code = (
        f"import sys, {module}\n"
        f"print(sorted(m for m in sys.modules if m == {forbidden!r} "
        f"or m.startswith({forbidden + '.'!r})))"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=ROOT,
    )
    assert result.stdout.strip() == "[]"
