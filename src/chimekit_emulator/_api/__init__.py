"""The twelve endpoints of ``/sdk/v1``: validation, business rules and the documented JSON shapes.

One module per resource, as in the SDK (``_audience``, ``_suppressions``, ``_messages``,
``_workflows``): each holds its handlers, its JSON shapes and its ``ROUTES``; a new endpoint is one
handler and one route there, plus one store method in the ``chimekit_emulator._store`` module of
the same name. Handlers are synchronous: the pipeline in ``_app`` runs each inside one store
transaction (together with the idempotency record) and commits before anything is sent.
"""

from __future__ import annotations

from typing import Final

from .._routing import Router
from . import _audience, _messages, _suppressions, _workflows
from ._common import Call, Handler
from ._workflows import advance_runs

__all__ = ["ROUTER", "Call", "Handler", "advance_runs"]

ROUTER: Final[Router[Handler]] = Router(
    [*_audience.ROUTES, *_suppressions.ROUTES, *_messages.ROUTES, *_workflows.ROUTES]
)
"""The API's route table, matched on decoded path segments after ``/sdk/v1``."""
