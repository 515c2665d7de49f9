"""Public classes carry the public package's name, not the private module's."""

from __future__ import annotations

import inspect
import typing
from typing import Any


def publish(package: str, *objects: Any) -> None:
    """Set ``__module__`` of the classes among ``objects`` to ``package``.

    Tracebacks, ``repr`` of classes and pickles then name an importable public path
    (``chimekit_core.NotFoundError``, not ``chimekit_core._exceptions.NotFoundError``); the
    package must export each name. String annotations are evaluated first, in the module
    that wrote them: ``typing.get_type_hints`` (which attrs and cattrs use) looks names up in
    the module ``__module__`` names.

    Args:
        package: The public package, usually ``__name__`` of its ``__init__``.
        objects: The package's exported objects; those that are not classes are skipped.
    """
    for cls in objects:
        if not isinstance(cls, type) or cls.__module__ == package:
            continue
        own = inspect.get_annotations(cls)
        if own:
            hints = typing.get_type_hints(cls, include_extras=True)
            cls.__annotations__ = {name: hints[name] for name in own}
        cls.__module__ = package
