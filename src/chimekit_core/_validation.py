"""Checks of user input that run before any request; errors name the argument."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ._converter import get_converter
from ._encoding import require_id
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

__all__ = [
    "check_content",
    "check_identities",
    "check_identity",
    "check_json_object",
    "check_keys",
    "optional_text",
    "require_id",
]

_CHANNELS = ("in_app", "email")


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
