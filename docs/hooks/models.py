"""mkdocs hook: the models reference lists every model of ``chimekit_core._models.__all__``.

``docs/reference/models.md`` holds the prose; each ``<!-- models: KIND -->`` marker in it
becomes ``::: chimekit_async.Name`` entries, in the module's order of definition, so a new
model is documented by being listed in ``__all__``, with no edit of the page:

- ``responses``: the response models, under one heading per resource of the client
  (``## Audience``...), the first whose methods return the model or a model that holds it;
- ``inputs``: the attrs input models;
- ``params``: the ``...Param`` TypedDicts.

A model that fits no marker, or a marker the page lacks, fails the build.
"""

from __future__ import annotations

import importlib
import sys
import typing
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
from mkdocs.exceptions import PluginError

SRC = Path(__file__).resolve().parents[2] / "src"
ENTRY = "::: chimekit_async.{name}"
PARAM_ENTRY = "::: chimekit_async.{name}\n    options:\n      heading_level: 4"


def _import(name: str) -> ModuleType:
    """Import ``name`` from this checkout's ``src`` (not from an installed copy)."""
    if str(SRC) not in sys.path:
        sys.path.insert(0, str(SRC))
    return importlib.import_module(name)


def _classes_of(hint: object, seen: set[type]) -> None:
    """Add the classes of a type hint to ``seen``, with those of an attrs class's fields."""
    for arg in typing.get_args(hint):
        _classes_of(arg, seen)
    cls = typing.get_origin(hint) or hint
    if isinstance(cls, type) and cls not in seen and cls.__module__ != "builtins":
        seen.add(cls)
        if attrs.has(cls):
            for field_hint in typing.get_type_hints(cls).values():
                _classes_of(field_hint, seen)


def _returned_by(resource: type) -> set[type]:
    """The classes the public methods of a resource (and of its sub-resources) return."""
    seen: set[type] = set()
    resources, visited = [resource], {resource}
    while resources:
        current = resources.pop()
        hints = typing.get_type_hints(current)
        for name, attribute in vars(current).items():
            function = getattr(attribute, "fget", getattr(attribute, "func", attribute))
            if not name.startswith("_") and callable(function):
                hints[name] = typing.get_type_hints(function).get("return")
        for hint in hints.values():
            if isinstance(hint, type) and hint.__module__.startswith("chimekit_async._"):
                if hint not in visited:
                    visited.add(hint)
                    resources.append(hint)
            else:
                _classes_of(hint, seen)
    return seen


def _sections() -> dict[str, str]:
    """The markdown of each marker, from the models module and the async client."""
    models = _import("chimekit_core._models")
    client = _import("chimekit_async").AsyncChimeKit
    names = [name for name in vars(models) if name in models.__all__]  # definition order
    responses: dict[str, list[str]] = {}
    inputs: list[str] = []
    params: list[str] = []
    for name in names:
        cls = getattr(models, name)
        if isinstance(cls, type) and issubclass(cls, models.ResponseModel):
            responses.setdefault(name, [])
        elif typing.is_typeddict(cls):
            params.append(PARAM_ENTRY.format(name=name))
        elif attrs.has(cls):
            inputs.append(ENTRY.format(name=name))
        else:
            raise PluginError(f"docs/hooks/models.py: no section for {name!r} of _models")
    groups: dict[str, list[str]] = {}
    for resource_name, resource in typing.get_type_hints(client).items():
        if not (isinstance(resource, type) and resource.__module__.startswith("chimekit_async._")):
            continue
        returned = _returned_by(resource)
        for name, owner in responses.items():  # definition order
            if not owner and getattr(models, name) in returned:
                owner.append(resource_name)
                groups.setdefault(resource_name.capitalize(), []).append(ENTRY.format(name=name))
    orphans = [name for name, owner in responses.items() if not owner]
    if orphans:
        raise PluginError(f"docs/hooks/models.py: no client method returns {orphans}")
    response_md = "\n\n".join(
        f"## {heading}\n\n" + "\n\n".join(entries) for heading, entries in groups.items()
    )
    return {
        "responses": response_md,
        "inputs": "\n\n".join(inputs),
        "params": "\n\n".join(params),
    }


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    """Replace the markers of the models page with the generated entries."""
    if page.file.src_uri != "reference/models.md":
        return markdown
    for kind, text in _sections().items():
        marker = f"<!-- models: {kind} -->"
        if marker not in markdown:
            raise PluginError(f"reference/models.md lacks the marker {marker}")
        markdown = markdown.replace(marker, text)
    return markdown
