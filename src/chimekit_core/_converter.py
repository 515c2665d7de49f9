"""The one cattrs converter: wire JSON <-> models.

Hooks are generated once per class, the first time the converter is needed (not at
import, so ``import chimekit_async`` stays cheap, and never per call).
"""

from __future__ import annotations

import functools
import re
import types
import typing
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from . import _models as m

if TYPE_CHECKING:
    import cattrs

__all__ = ["get_converter", "structure", "to_wire"]

T = TypeVar("T")

_RESPONSE_MODELS: tuple[type[Any], ...] = (
    m.Identity,
    m.Member,
    m.Category,
    m.SuppressionIdentity,
    m.Suppression,
    m.Message,
    m.Notification,
    m.AudienceMemberRef,
    m.SentMessage,
    m.Recipient,
    m.MessageDetail,
    m.MessageSummary,
    m.MessageListItem,
    m.WorkflowRunRef,
    m.WorkflowRun,
    m.Pagination,
    m.MessageListResponse,
)
_INPUT_MODELS: tuple[type[Any], ...] = (
    m.EmailIdentity,
    m.TemplateContent,
    m.InAppContent,
    m.EmailContent,
    m.ChannelContent,
)

_UNION_ORIGINS = (typing.Union, types.UnionType)
_CAMEL_BOUNDARY = re.compile(r"_([a-z0-9])")


def wire_name(field: attrs.Attribute[Any]) -> str:
    """The JSON key of a model field: its ``wire`` metadata, else its camelCase name."""
    explicit = field.metadata.get("wire")
    if explicit is not None:
        return str(explicit)
    return _CAMEL_BOUNDARY.sub(lambda match: match.group(1).upper(), field.name)


def _structure_datetime(value: Any, _: type) -> datetime:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO-8601 timestamp, got {type(value).__name__}")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp {value!r} has no timezone")
    return parsed


def _structure_json_object(value: Any, _: type) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"expected a JSON object, got {type(value).__name__}")
    return value


def _structure_str(value: Any, _: type) -> str:
    # cattrs would call str() on anything; a number where a string belongs is a bad body.
    if value.__class__ is not str:
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value  # type: ignore[no-any-return,unused-ignore]


def _structure_bool(value: Any, _: type) -> bool:
    if value.__class__ is not bool:
        raise TypeError(f"expected a boolean, got {type(value).__name__}")
    return value  # type: ignore[no-any-return,unused-ignore]


def _passthrough(value: Any, _: type) -> Any:
    return value


def _structure_optional_str(value: Any, _: type) -> str | None:
    if value is None or value.__class__ is str:
        return value  # type: ignore[no-any-return,unused-ignore]
    raise TypeError(f"expected a string or null, got {type(value).__name__}")


def _optional_member(type_: Any) -> Any:
    """``X`` for a ``X | None`` union of exactly two members, else ``None``."""
    args = typing.get_args(type_)
    if len(args) == 2 and type(None) in args and typing.get_origin(type_) in _UNION_ORIGINS:
        return args[0] if args[1] is type(None) else args[1]
    return None


def _make_optional_hook(type_: Any, converter: cattrs.Converter) -> Any:
    # cattrs' generic optional hook dispatches on every call; resolving the inner hook once
    # here halves the cost of parsing a message page.
    inner_type = _optional_member(type_)
    if inner_type is str:
        return _structure_optional_str
    inner = converter.get_structure_hook(inner_type)

    def structure_optional(value: Any, _: type) -> Any:
        return None if value is None else inner(value, inner_type)

    return structure_optional


@functools.cache
def get_converter() -> cattrs.Converter:
    """Build (once) and return the SDK's converter."""
    import cattrs
    from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

    converter = cattrs.Converter(detailed_validation=False)
    converter.register_structure_hook(datetime, _structure_datetime)
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(bool, _structure_bool)
    converter.register_structure_hook_func(lambda t: t == m.JSONObject, _structure_json_object)
    converter.register_structure_hook_func(lambda t: t is Any, _passthrough)
    converter.register_structure_hook_factory(
        lambda t: _optional_member(t) is not None, _make_optional_hook
    )
    converter.register_unstructure_hook(datetime, lambda value: value.isoformat())

    for cls in _RESPONSE_MODELS:
        renames = {f.name: override(rename=wire_name(f)) for f in attrs.fields(cls)}
        converter.register_structure_hook(
            cls,
            make_dict_structure_fn(cls, converter, **renames),  # type: ignore[arg-type]
        )
    for cls in _INPUT_MODELS:
        renames = {
            # ``type`` of EmailIdentity is a constant, so it is sent although it is the default.
            f.name: override(rename=wire_name(f), omit_if_default=f.init)
            for f in attrs.fields(cls)
        }
        converter.register_unstructure_hook(
            cls,
            make_dict_unstructure_fn(
                cls,
                converter,
                _cattrs_include_init_false=True,
                **renames,  # type: ignore[arg-type]
            ),
        )
    return converter


def structure(data: Any, cls: type[T]) -> T:
    """Parse decoded JSON into ``cls``; raises on a body that does not fit."""
    return get_converter().structure(data, cls)


def to_wire(value: Any) -> Any:
    """Turn an input model (or a plain value holding them) into JSON-ready data.

    ``None`` fields of input models are left out; plain dicts pass through as they are.
    """
    if attrs.has(type(value)):
        return get_converter().unstructure(value)
    return value
