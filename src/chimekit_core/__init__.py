"""Flavour-free parts of the ChimeKit SDK: models, exceptions, retry policy, pagination.

Users import these names from ``chimekit_async`` or ``chimekit_sync``, which re-export
every name of this package's ``__all__`` (the one list of them); both flavours share these
very classes, so ``except`` clauses match across them. This package imports neither aiohttp
nor urllib3.
"""

from . import _models
from ._bulk import BulkResult
from ._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ChimeKitError,
    ConflictError,
    InsecureTransportWarning,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from ._models import *  # noqa: F403  (the models are listed once, in _models.__all__)

# The public names: these, then every name of ``_models.__all__`` (the one list of the
# models, so a new model is exported by being listed there). Type checkers read this in two
# ways. pyright follows ``__all__ += _models.__all__`` (a form of the typing spec's library
# interface); mypy (2.4) does not, and would take only the literal list below, so that
# ``from chimekit_core import *`` (and the flavours' re-export through it) would leave the
# models out. For mypy, importing ``_models.__all__`` as ``__all__`` seeds the export list
# with that module's names, and the literal list adds to it. At run time that import is
# overwritten at once. tests/typing checks both type checkers, star imports included.
from ._models import __all__ as __all__
from ._options import NOT_GIVEN, NotGiven, RequestOptions
from ._pagination import Page
from ._public import publish as _publish
from ._retry import RetryPolicy
from ._version import __version__

__all__ = [  # noqa: F811  (replaces the import above at run time)
    "NOT_GIVEN",
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BulkResult",
    "ChimeKitError",
    "ConflictError",
    "InsecureTransportWarning",
    "InternalServerError",
    "NotFoundError",
    "NotGiven",
    "Page",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestOptions",
    "RetryPolicy",
    "UnprocessableEntityError",
    "__version__",
]
__all__ += _models.__all__

_publish(__name__, *(globals()[name] for name in __all__))
