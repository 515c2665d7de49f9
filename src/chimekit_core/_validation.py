"""Checks of user input that run before any request; errors name the argument."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ._converter import get_converter
from ._http import merge_headers
from ._models import (
    ChannelContent,
    ChannelContentParam,
    EmailContentParam,
    EmailIdentity,
    IdentityParam,
    InAppContent,
    InAppContentParam,
    TemplateContent,
    TemplateContentParam,
)
from ._options import NOT_GIVEN
from ._retry import RetryPolicy

__all__ = [
    "MAX_LIMIT",
    "check_content",
    "check_headers",
    "check_identities",
    "check_identity",
    "check_json_object",
    "check_keys",
    "check_max_retries",
    "check_paging",
    "check_retry_policy",
    "check_timeout",
    "checked_default_headers",
    "optional_text",
    "require_id",
]

_CHANNELS = ("in_app", "email")
MAX_LIMIT = 100
"""The largest page the message-history endpoint serves."""
_HEADER_NAME = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
# A header value is visible ASCII, spaces and tabs (RFC 9110 field-value without obs-text).
# CR, LF and NUL could split or forge a header; other control characters make aiohttp raise a
# bare ValueError and servers answer 400; non-ASCII text has no one encoding on the wire (aiohttp
# sends UTF-8, urllib3 Latin-1 or a UnicodeEncodeError), so both flavours refuse it up front.
_BAD_HEADER_VALUE = re.compile(r"[^\t\x20-\x7e]")


def _keys(*typed_dicts: Any) -> frozenset[str]:
    return frozenset().union(*(t.__required_keys__ | t.__optional_keys__ for t in typed_dicts))


_CONTENT_KEYS = _keys(TemplateContentParam, ChannelContentParam)
_CHANNEL_KEYS = {"in_app": _keys(InAppContentParam), "email": _keys(EmailContentParam)}
_IDENTITY_KEYS = _keys(IdentityParam)


def check_keys(value: Mapping[Any, Any], known: frozenset[str], name: str) -> None:
    """Refuse a key that is a known wire key spelt in the other case style.

    Raises:
        ValueError: e.g. ``template_id`` where the wire wants ``templateId``. Other
            unknown keys pass (the API may know them before the SDK does).
    """
    for key in value:
        if not isinstance(key, str) or key in known:
            continue
        camel = re.sub(r"_([a-z0-9])", lambda match: match.group(1).upper(), key)
        snake = re.sub(r"(?<!^)([A-Z])", lambda match: "_" + match.group(1).lower(), key)
        for right in (camel, snake):
            if right in known:
                raise ValueError(f"{name} has the key {key!r}: did you mean {right!r}?")


def optional_text(value: Any, name: str) -> Any:
    """Pass through a string, ``None`` or ``NOT_GIVEN``; anything else is a ``TypeError``."""
    if value is None or value is NOT_GIVEN or isinstance(value, str):
        return value
    raise TypeError(f"{name} must be a string or None, not {type(value).__name__}")


def check_json_object(value: Any, name: str) -> Any:
    """Check a free-form JSON object argument (``attributes``, ``context``)."""
    if value is None or value is NOT_GIVEN:
        return value
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a mapping (a JSON object), not {type(value).__name__}")
    for key in value:
        if not isinstance(key, str):
            raise TypeError(f"{name} keys must be strings, got {type(key).__name__}")
    return value


def check_identity(value: Any, name: str) -> dict[str, Any]:
    """Check one identity: an ``EmailIdentity`` or a dict with string ``type`` and ``value``."""
    if isinstance(value, EmailIdentity):
        require_id(value.value, f"{name}.value")
        return _model_to_wire(value, name)
    if not isinstance(value, Mapping):
        raise TypeError(
            f"{name} must be an EmailIdentity or a dict with 'type' and 'value', "
            f"not {type(value).__name__}"
        )
    check_keys(value, _IDENTITY_KEYS, name)
    for field in ("type", "value"):
        if field not in value:
            raise ValueError(f"{name} must have a {field!r}")
        require_id(value[field], f"{name}[{field!r}]")
    return dict(value)


def check_identities(value: Any, name: str) -> Any:
    """Check a list of identities; ``None`` and ``NOT_GIVEN`` pass through."""
    if value is None or value is NOT_GIVEN:
        return value
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
        raise TypeError(f"{name} must be a list of identities, not {type(value).__name__}")
    return [check_identity(item, f"{name}[{index}]") for index, item in enumerate(value)]


def check_content(value: Any, name: str = "content") -> dict[str, Any]:
    """Check message content: a template, or at least one channel, never both.

    Raises:
        ValueError: no template and no channel, both, or an empty template id.
        TypeError: ``value`` is not content.
    """
    if isinstance(value, TemplateContent):
        require_id(value.template_id, f"{name}.template_id")
        check_json_object(value.variables, f"{name}.variables")
        return _model_to_wire(value, name)
    if isinstance(value, ChannelContent):
        if value.in_app is None and value.email is None:
            raise ValueError(f"{name} must have at least one channel (in_app or email)")
        if isinstance(value.in_app, InAppContent):
            _check_actions(value.in_app.actions, f"{name}.in_app.actions")
        _check_channels({"in_app": value.in_app, "email": value.email}, name, ".{}")
        check_json_object(value.variables, f"{name}.variables")
        return _model_to_wire(value, name)
    if not isinstance(value, Mapping):
        raise TypeError(
            f"{name} must be TemplateContent, ChannelContent or a dict, not {type(value).__name__}"
        )
    check_keys(value, _CONTENT_KEYS, name)
    _check_channels(value, name, "[{!r}]")
    has_template = value.get("templateId") is not None
    channels = [channel for channel in _CHANNELS if value.get(channel) is not None]
    if has_template and channels:
        raise ValueError(f"{name} must have either templateId or channels ({channels}), not both")
    if not has_template and not channels:
        raise ValueError(f"{name} must have a templateId or at least one channel (in_app, email)")
    if has_template:
        require_id(value["templateId"], f"{name}['templateId']")
    return dict(value)


def _check_channels(content: Mapping[str, Any], name: str, index: str) -> None:
    """The keys of the channels given as dicts (``in_app``, ``email``)."""
    for channel, known in _CHANNEL_KEYS.items():
        if isinstance(content.get(channel), Mapping):
            check_keys(content[channel], known, name + index.format(channel))


def _check_actions(value: Any, name: str) -> None:
    """``InAppContent.actions``: ``None`` or a list of JSON objects."""
    if value is None:
        return
    if not isinstance(value, list | tuple) or not all(isinstance(a, Mapping) for a in value):
        raise TypeError(f"{name} must be a list of objects (dicts) or None")


def _model_to_wire(value: Any, name: str) -> dict[str, Any]:
    """An input model as JSON-ready data, the argument named if it cannot become JSON.

    Free-form dicts and lists pass through the converter untouched (json.dumps checks
    them later); what can still fail here is a field holding a value of the wrong kind.
    """
    try:
        wire: dict[str, Any] = get_converter().unstructure(value)
        return wire
    except RecursionError:
        raise ValueError(
            f"{name} is nested too deeply (or contains itself) to send as JSON"
        ) from None
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise TypeError(f"{name} cannot be sent as JSON ({type(exc).__name__}: {exc})") from None


def require_id(value: object, name: str) -> str:
    """Check that an identifier argument is a non-empty string, and return it.

    Raises:
        TypeError: ``value`` is not a string.
        ValueError: ``value`` is empty.
    """
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, not {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must be a non-empty string")
    return value


def check_headers(headers: Mapping[str, str], source: str) -> None:
    """Refuse header names that are not HTTP tokens and values that are not visible ASCII.

    Raises:
        TypeError: ``headers`` is not a mapping, or a name or value is not a string.
        ValueError: a name or value could split or forge a header (CR, LF, NUL), or holds
            another control character or non-ASCII text.
    """
    if not isinstance(headers, Mapping):
        raise TypeError(f"{source} must be a mapping of header names to values")
    for header_name, value in headers.items():
        if not isinstance(header_name, str) or not isinstance(value, str):
            raise TypeError(f"{source}: header names and values must be strings")
        if not _HEADER_NAME.match(header_name):
            raise ValueError(f"{source}: {header_name!r} is not a valid header name")
        if _BAD_HEADER_VALUE.search(value):
            raise ValueError(
                f"{source}: the value of {header_name!r} contains CR, LF, NUL, another control "
                "character or non-ASCII text, which cannot be sent in an HTTP header"
            )


def check_timeout(timeout: object, name: str = "timeout") -> float | None:
    """Check a timeout in seconds: a positive number, or ``None`` for no limit."""
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise TypeError(f"{name} must be a number of seconds or None")
    if not timeout > 0 or timeout == float("inf"):
        raise ValueError(f"{name} must be a positive, finite number of seconds, got {timeout!r}")
    return float(timeout)


def check_max_retries(max_retries: object, name: str = "max_retries") -> int:
    """Check a retry count: an int >= 0."""
    if isinstance(max_retries, bool) or not isinstance(max_retries, int):
        raise TypeError(f"{name} must be an int")
    if max_retries < 0:
        raise ValueError(f"{name} must be >= 0, got {max_retries}")
    return max_retries


def checked_default_headers(headers: object) -> dict[str, str]:
    """Check ``default_headers``: a mapping of valid header names to values (or ``None``).

    Names that differ only in letter case are one header; the last one given wins.
    """
    if headers is None:
        return {}
    if not isinstance(headers, Mapping):
        raise TypeError("default_headers must be a mapping of header names to values")
    check_headers(headers, "default_headers")
    checked: dict[str, str] = {}
    merge_headers(checked, headers)
    return checked


def check_retry_policy(retry: object) -> RetryPolicy:
    """Check the ``retry`` argument: a ``RetryPolicy``."""
    if not isinstance(retry, RetryPolicy):
        raise TypeError(f"retry must be a RetryPolicy, not {type(retry).__name__}")
    return retry


def check_paging(limit: object, offset: object, max_items: object) -> None:
    """Check paging arguments before any request.

    Raises:
        TypeError: an argument is not an int.
        ValueError: ``limit`` outside 1..100, negative ``offset`` or ``max_items``.
    """
    for name, value in (("limit", limit), ("offset", offset)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    assert isinstance(limit, int)
    assert isinstance(offset, int)
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
    if offset < 0:
        raise ValueError(f"offset must be >= 0, got {offset}")
    if max_items is not None:
        if isinstance(max_items, bool) or not isinstance(max_items, int):
            raise TypeError(f"max_items must be an int or None, not {type(max_items).__name__}")
        if max_items < 0:
            raise ValueError(f"max_items must be >= 0, got {max_items}")
