"""The one cattrs converter: cattrs-generated hooks for every attrs class, camelCase keys."""

from __future__ import annotations

import functools
import math
import re
import types
import typing
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:  # cattrs is imported with the first converter, not with the package
    import cattrs

__all__ = ["get_converter", "wire_name"]

_CAMEL = re.compile(r"_([a-z0-9])")
# Models of only these types are reused for equal JSON (a history's recipient); not timestamped.
_SCALARS = (str, str | None)
_JSON_PASSTHROUGH = (Any, dict, list, dict[str, Any], list[dict[str, Any]])  # json.dumps'


def wire_name(field: attrs.Attribute[Any]) -> str:
    """The JSON key of a model field: its ``wire`` metadata, else its camelCase name."""
    return str(field.metadata.get("wire") or _CAMEL.sub(lambda m: m.group(1).upper(), field.name))


def _strict(kind: type, or_none: bool = False) -> Callable[[Any, Any], Any]:
    def structure_exactly(value: Any, _: Any) -> Any:
        if value.__class__ is kind or (or_none and value is None):
            return value
        raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")

    return structure_exactly


def _datetime(or_none: bool = False) -> Callable[[Any, Any], Any]:  # RFC 3339 allows "z"
    def structure_datetime(value: Any, _: Any) -> datetime | None:
        if value is None and or_none:
            return None
        parsed = datetime.fromisoformat(value.replace("z", "Z") if type(value) is str else value)
        if parsed.tzinfo is None:
            raise ValueError(f"timestamp {value!r} has no timezone")
        return parsed

    return structure_datetime


def _iso(t: datetime) -> str:  # UTC as "Z"; as precise as the time is: s, ms or us
    us = t.microsecond
    spec = ("seconds", "milliseconds", "microseconds")[bool(us) + bool(us % 1000)]
    return t.isoformat(timespec=spec).replace("+00:00", "Z")


def _is_optional(type_: Any) -> bool:  # X | None, exactly
    return isinstance(type_, types.UnionType) and len(set(type_.__args__) - {type(None)}) == 1


def _optional_hook(type_: Any, converter: cattrs.Converter) -> Any:
    inner_type = next(arg for arg in typing.get_args(type_) if arg is not type(None))
    if inner_type in (str, bool, int, dict[str, Any]):  # the common cases, in one call
        return _strict(typing.get_origin(inner_type) or inner_type, or_none=True)
    if inner_type is datetime:
        return _datetime(or_none=True)
    if attrs.has(inner_type):  # a nested model that may be null: one call, not two
        return _model_structure_hook(inner_type, converter, or_none=True)
    inner = converter.get_structure_hook(inner_type)
    return lambda value, _: None if value is None else inner(value, inner_type)


def _list_hook(type_: Any, converter: cattrs.Converter) -> Callable[[Any, Any], Any]:  # null: []
    (element,) = typing.get_args(type_) or (Any,)
    inner, list_or_none = converter.get_structure_hook(element), _strict(list, or_none=True)
    return lambda value, _: [inner(item, element) for item in list_or_none(value, _) or ()]


def _model_structure_hook(cls: type[Any], converter: Any, or_none: bool = False) -> Any:
    """The generated hook of ``cls`` (or_none: ``cls | None``): optionals filled, extras kept."""
    from cattrs.gen import make_dict_structure_fn, override

    fields, hints = [f for f in attrs.fields(cls) if f.init], typing.get_type_hints(cls)
    known = frozenset(wire_name(f) for f in fields)
    lists = {wire_name(f) for f in fields if typing.get_origin(hints[f.name]) is list}
    nullable = {wire_name(f) for f in fields if _is_optional(hints[f.name]) or hints[f.name] is Any}
    fill: dict[str, Any] = {**dict.fromkeys(nullable), **{key: [] for key in lists}}
    required, count = known - fill.keys(), len(known) if hasattr(cls, "_extra") else math.inf
    renames: dict[str, Any] = {f.name: override(rename=wire_name(f)) for f in fields}
    generated = make_dict_structure_fn(cls, converter, _cattrs_detailed_validation=False, **renames)
    scalars = all(hints[f.name] in _SCALARS for f in fields)  # reuse the last instance built
    last: tuple[Any, Any] = ((), None)  # one tuple, so threads never see half of it

    def structure_model(data: Any, _: Any = None) -> Any:
        nonlocal last
        if scalars and data == (memo := last)[0]:  # read ``last`` once
            return memo[1]
        try:  # the common case first: a missing key or a non-object fails in here
            made = generated(data, cls)
        except (KeyError, TypeError):
            if data.__class__ is not dict:
                if data is None and or_none:
                    return None
                kind = type(data).__name__
                raise TypeError(f"expected a JSON object for {cls.__name__}, got {kind}") from None
            if missing := required - data.keys():
                raise ValueError(f"{cls.__name__} without {', '.join(sorted(missing))}") from None
            made = generated(data := {**fill, **data}, cls)  # the optional ones filled in
        if len(data) > count:  # every known key is in data by now: the rest is new
            object.__setattr__(made, "_extra", {k: v for k, v in data.items() if k not in known})
        elif scalars:
            last = (data, made)
        return made

    return structure_model


def _model_unstructure_hook(cls: type[Any], converter: cattrs.Converter) -> Callable[[Any], Any]:
    """The cattrs-generated hook: wire names, unknown keys last, no input defaults but constants."""
    from cattrs.gen import make_dict_unstructure_fn, override

    renames: dict[str, Any] = {
        f.name: override(rename=wire_name(f), omit_if_default=f.init) for f in attrs.fields(cls)
    }
    generated = make_dict_unstructure_fn(cls, converter, _cattrs_include_init_false=True, **renames)
    return lambda value: {**generated(value), **(getattr(value, "_extra", None) or {})}


@functools.cache
def get_converter() -> cattrs.Converter:
    """Build (once) and return the SDK's converter."""
    import cattrs

    converter = cattrs.Converter(detailed_validation=False)
    for kind in (str, bool, int):
        converter.register_structure_hook(kind, _strict(kind))
    converter.register_structure_hook(datetime, _datetime())
    converter.register_structure_hook_func(lambda t: t == dict[str, Any], _strict(dict))
    converter.register_structure_hook_func(lambda t: t is Any, lambda value, _: value)
    factory = converter.register_structure_hook_factory
    factory(_is_optional, _optional_hook)
    factory(lambda t: getattr(t, "__origin__", None) is list, _list_hook)
    factory(attrs.has, _model_structure_hook)
    converter.register_unstructure_hook(datetime, _iso)
    converter.register_unstructure_hook_func(lambda t: t in _JSON_PASSTHROUGH, lambda v: v)
    converter.register_unstructure_hook_factory(attrs.has, _model_unstructure_hook)
    return converter
