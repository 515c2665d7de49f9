"""The exported names of both flavours: exactly the contract's, shared where they must be."""

from __future__ import annotations

import pickle
import subprocess
import sys
import traceback
import typing
from importlib import metadata
from pathlib import Path
from types import ModuleType

import attrs
import pytest

import chimekit_async
import chimekit_core
import chimekit_core._models
import chimekit_sync

ROOT = Path(__file__).resolve().parents[1]

# What each flavour adds to core's public names: its client, paginator and raw response.
OWN = {
    chimekit_async: {"APIResponse", "AsyncChimeKit", "AsyncPaginator"},
    chimekit_sync: {"APIResponse", "ChimeKit", "Paginator"},
}
FLAVOURS = pytest.mark.parametrize("module", list(OWN), ids=lambda module: module.__name__)
PACKAGES = pytest.mark.parametrize(
    "module", [chimekit_core, *OWN], ids=lambda module: module.__name__
)


@PACKAGES
def test_all_names_each_public_name_once(module: ModuleType) -> None:
    """__all__ has no duplicate, each name exists, and every other public attribute is private."""
    assert len(module.__all__) == len(set(module.__all__))
    assert [name for name in module.__all__ if not hasattr(module, name)] == []
    public = {name for name in vars(module) if not name.startswith("_")}
    assert public - set(module.__all__) == set()


@FLAVOURS
def test_a_flavour_exports_core_and_its_own_names(module: ModuleType) -> None:
    """A flavour's __all__ is core's __all__ plus exactly its own client names."""
    assert set(module.__all__) - set(chimekit_core.__all__) == OWN[module]
    assert set(chimekit_core.__all__) <= set(module.__all__)


@FLAVOURS
def test_core_names_are_the_same_objects_in_a_flavour(module: ModuleType) -> None:
    """chimekit_sync.X is chimekit_async.X is chimekit_core.X, so `except` matches across them."""
    different = [
        name
        for name in chimekit_core.__all__
        if getattr(module, name) is not getattr(chimekit_core, name)
    ]
    assert different == []


def test_insecure_transport_warning_is_public() -> None:
    """The warning the transports raise can be filtered by its public name."""
    from chimekit_core._exceptions import InsecureTransportWarning

    assert chimekit_core.InsecureTransportWarning is InsecureTransportWarning
    assert chimekit_sync.InsecureTransportWarning is InsecureTransportWarning


# Every exported class with the package that defines its public name.
PUBLIC_CLASSES = [
    (module.__name__, value)
    for module, names in [(chimekit_core, chimekit_core.__all__), *OWN.items()]
    for name in sorted(names)
    if isinstance(value := getattr(module, name), type)
]


@pytest.mark.parametrize(
    ("package", "cls"), PUBLIC_CLASSES, ids=lambda x: getattr(x, "__name__", x)
)
def test_public_classes_name_their_public_package(package: str, cls: type) -> None:
    """__module__ is the exporting package (reprs, pickles); annotations still resolve (cattrs)."""
    assert cls.__module__ == package
    assert pickle.loads(pickle.dumps(cls)) is cls
    typing.get_type_hints(cls)  # raises NameError if an annotation no longer resolves


def test_traceback_names_the_public_path() -> None:
    """An error escaping to the top level prints as chimekit_core.NotFoundError, not _exceptions."""
    error = chimekit_core.NotFoundError("no such member", status_code=404)
    assert traceback.format_exception_only(error) == [
        "chimekit_core.NotFoundError: Error code: 404 - no such member\n"
    ]


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


def _reachable_classes(hint: object, seen: set[type]) -> None:
    """Add the classes of a type hint to ``seen``, with those of an attrs class's fields."""
    for arg in typing.get_args(hint):
        _reachable_classes(arg, seen)
    cls = typing.get_origin(hint) or hint
    if not isinstance(cls, type) or cls in seen or cls.__module__ == "builtins":
        return
    seen.add(cls)
    if attrs.has(cls):
        for field_hint in typing.get_type_hints(cls).values():
            _reachable_classes(field_hint, seen)


def _returned_classes(client: type) -> set[type]:
    """Every class a public method of the client's resources returns, or that one contains."""
    seen: set[type] = set()
    private = client.__module__.partition(".")[0] + "._"
    resources, visited = [client], {client}
    while resources:
        resource = resources.pop()
        hints = typing.get_type_hints(resource)
        for name, attribute in vars(resource).items():
            function = getattr(attribute, "fget", getattr(attribute, "func", attribute))
            if not name.startswith("_") and callable(function):
                hints[name] = typing.get_type_hints(function).get("return")
        for hint in hints.values():
            if isinstance(hint, type) and hint.__module__.startswith(private):
                if hint not in visited:  # a resource: client.audience, .audience.suppressions
                    visited.add(hint)
                    resources.append(hint)
            else:
                _reachable_classes(hint, seen)
    return seen


@pytest.mark.parametrize(
    "client", [chimekit_async.AsyncChimeKit, chimekit_sync.ChimeKit], ids=lambda c: c.__name__
)
def test_every_model_a_method_returns_is_exported(client: type) -> None:
    """A model listed in _models.__all__ is exported; one a public method returns must be listed."""
    returned = {
        cls
        for cls in _returned_classes(client)
        if cls.__module__.partition(".")[0] == "chimekit_core"
    }
    assert {
        cls.__name__ for cls in returned if getattr(chimekit_core, cls.__name__, None) is not cls
    } == set()
    assert {"Member", "MessageDetail", "Identity", "Suppression", "WorkflowRun"} <= {
        cls.__name__ for cls in returned
    }
    assert set(chimekit_core._models.__all__) <= set(chimekit_core.__all__)
