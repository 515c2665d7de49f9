"""Request building: path segments, query strings, JSON bodies and header checks.

Everything here runs before any I/O, so bad input fails as a ``ValueError`` or
``TypeError`` that names the argument, never deep inside an HTTP library.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import attrs

from ._converter import get_converter
from ._validation import require_id

__all__ = [
    "encode_json",
    "path_segment",
]

_DOTS_ONLY = re.compile(r"^\.+$")
# The characters ``quote(safe="")`` leaves as they are: an id made of them only (and not
# of dots only) is its own encoding, so the common ids skip quote().
_UNRESERVED_ONLY = re.compile(r"[A-Za-z0-9_.~-]+").fullmatch
MAX_PATH_SEGMENT = 2048
"""The longest id, once percent-encoded, that is put in a URL path.

Servers and proxies refuse request lines over 4-8 KiB (aiohttp and nginx at 8 KiB) with a
400 or 414 that cannot name the argument, and a URL of megabytes takes urllib3 seconds to
re-scan; two ids and the rest of the URL must fit, so an id is refused here, by name.
"""


def path_segment(value: object, name: str) -> str:
    """Percent-encode an identifier as exactly one path segment.

    ``/``, ``?``, ``#``, ``%``, spaces and non-ASCII characters are escaped, and a
    segment of dots (``..``) is escaped too, so no id can reach another endpoint.

    Raises:
        TypeError: ``value`` is not a string.
        ValueError: ``value`` is empty, cannot be encoded as UTF-8, or is longer than
            ``MAX_PATH_SEGMENT`` characters once percent-encoded.
    """
    if (
        value.__class__ is str
        and len(value) <= MAX_PATH_SEGMENT
        and _UNRESERVED_ONLY(value)
        and not _DOTS_ONLY.match(value)
    ):
        return value
    text = require_id(value, name)
    if len(text) > MAX_PATH_SEGMENT:  # before encoding a huge string
        raise _too_long(name)
    try:
        encoded = quote(text, safe="", encoding="utf-8", errors="strict")
    except UnicodeEncodeError as exc:
        raise ValueError(f"{name} is not valid Unicode text: {exc.reason}") from None
    if len(encoded) > MAX_PATH_SEGMENT:
        raise _too_long(name)
    if _DOTS_ONLY.match(encoded):
        encoded = encoded.replace(".", "%2E")
    return encoded


def _too_long(name: str) -> ValueError:
    return ValueError(
        f"{name} is too long to send in a URL: at most {MAX_PATH_SEGMENT} characters "
        "once percent-encoded (non-ASCII characters take 6 to 12)"
    )


def encode_json(body: Any) -> bytes:
    """Encode a request body; on failure name the top-level field that cannot be sent.

    Raises:
        TypeError: a value is not JSON-serialisable.
        ValueError: a value is NaN/infinite, circular or nested too deeply.
    """
    try:
        return _dumps(body)
    except (TypeError, ValueError, RecursionError) as exc:
        for key, value in body.items() if isinstance(body, Mapping) else ():
            try:
                _dumps(value)
            except (TypeError, ValueError, RecursionError) as field_exc:
                raise _json_error(_snake(key), field_exc) from None
        raise _json_error("body", exc) from None


def _dumps(value: Any) -> bytes:
    return json.dumps(
        value,
        default=_default,
        ensure_ascii=False,
        allow_nan=False,
        separators=(",", ":"),
    ).encode("utf-8", errors="strict")


def _default(value: Any) -> Any:
    try:
        wired = get_converter().unstructure(value) if attrs.has(type(value)) else value
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        # An input model with a field of the wrong type, met inside a dict (cattrs' own error).
        raise TypeError(f"{type(value).__name__} has a field of the wrong type ({exc})") from None
    if wired is value:
        raise TypeError(f"values of type {type(value).__name__} cannot be sent as JSON")
    return wired


def _json_error(name: str, exc: BaseException) -> Exception:
    if isinstance(exc, RecursionError):
        return ValueError(f"{name} is nested too deeply to send as JSON")
    if isinstance(exc, UnicodeEncodeError):
        return ValueError(f"{name} contains text that is not valid Unicode ({exc.reason})")
    if isinstance(exc, TypeError):
        return TypeError(f"{name} cannot be sent as JSON: {exc}")
    return ValueError(f"{name} cannot be sent as JSON: {exc}")


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", lambda match: "_" + match.group(1).lower(), key)
