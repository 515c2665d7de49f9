# GENERATED from src/chimekit_async/__init__.py by codegen/generate.py: do not edit by hand.
# Edit the async original and run `python codegen/generate.py`.
"""The synchronous ChimeKit client (urllib3).

Example:
    >>> from chimekit_sync import ChimeKit
    >>> def main() -> None:
    ...     with ChimeKit() as ck:
    ...         member = ck.audience.get("user_123")

Every name of ``chimekit_core.__all__`` (models, exceptions, options) is re-exported here
as the very same object, shared by both flavours, so ``except`` clauses match across them.
"""

import chimekit_core as _core
from chimekit_core import *  # noqa: F403  (the public names are listed once, in core)

# For mypy, which reads only literal lists in ``__all__ +=``: this seeds the export list
# with core's names (see chimekit_core/__init__.py); at run time `__all__ = [...]` below
# replaces it.
from chimekit_core import __all__ as __all__
from chimekit_core._public import publish as _publish

from ._client import ChimeKit
from ._pagination import Paginator
from ._response import APIResponse

__all__ = ["APIResponse", "ChimeKit", "Paginator"]  # noqa: F811
__all__ += _core.__all__

_publish(__name__, APIResponse, ChimeKit, Paginator)
