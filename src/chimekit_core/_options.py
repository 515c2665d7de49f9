"""Per-call options every method accepts, and the marker for "argument not given"."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, Final, Literal, TypedDict

__all__ = ["NOT_GIVEN", "NotGiven", "RequestOptions", "omit_not_given"]


class NotGiven(enum.Enum):
    """The type of ``NOT_GIVEN``: an optional argument that was not passed at all."""

    NOT_GIVEN = enum.auto()

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __bool__(self) -> Literal[False]:
        return False


NOT_GIVEN: Final = NotGiven.NOT_GIVEN
"""Left out of the request, as opposed to ``None``, which is sent as JSON ``null``."""


class RequestOptions(TypedDict, total=False):
    """Options every API method accepts as keyword arguments.

    Attributes:
        timeout: Seconds for this call's whole request (each attempt), overriding the
            client's; ``None`` for no limit.
        max_retries: Retries for this call, overriding the client's.
        extra_headers: Headers added to this call's request.
    """

    timeout: float | None
    max_retries: int
    extra_headers: Mapping[str, str]


def omit_not_given(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Drop the fields whose value is ``NOT_GIVEN``; keep explicit ``None``."""
    return {key: value for key, value in fields.items() if value is not NOT_GIVEN}
