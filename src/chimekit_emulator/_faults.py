"""Fault rules: which requests misbehave, how often, and how.

A rule matches on method and a regular expression searched in the raw path after ``/sdk/v1``.
Rules are tried in the order they were added; the first one that matches, has budget left
(``times``) and fires (``probability``, drawn from its own ``random.Random(seed)``) applies.
What a fault does on the socket lives in ``_wire`` and what a drift rule does to a JSON answer
in ``_drift``; this module is pure bookkeeping.
"""

from __future__ import annotations

import json
import math
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Final

from ._ids import new_id

FAULT_KINDS: Final = ("reset", "hang", "truncate", "drip", "commit_then_drop")
"""The transport faults; ``truncate``, ``drip`` and ``commit_then_drop`` run the handler first."""

DRIFT_KINDS: Final = ("omit", "null", "add", "enum")
"""API drift: the handler runs and its JSON answer comes back with a field changed."""

DEFAULT_DRIFT_VALUES: Final = {"add": "unknown", "enum": "unknown_enum_value"}
WILDCARD: Final = "*"
DEFAULT_FAULT_BODY: Final = {"error": "injected fault"}
DEFAULT_DRIP_INTERVAL: Final = 0.5
DEFAULT_DRIP_CHUNK: Final = 8


class _Unset:
    """Marks ``FaultRule.body`` as not given (``None`` is a valid JSON body)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True, kw_only=True)
class FaultRule:
    """One fault-injection rule (also the JSON shape of the admin API and ``--faults`` files).

    Args:
        method: ``"POST"``, ``"GET"``, ... or ``"*"`` for any method.
        path: A regular expression searched in the raw path after ``/sdk/v1`` (query string
            included), e.g. ``"^/messages/send$"``; ``None`` matches every path.
        times: Apply to the next ``times`` firings only; ``None`` is unlimited.
        probability: The chance (0..1) that a matching request is affected.
        seed: Seeds this rule's own random generator so a probabilistic run can be reproduced.
        delay: Seconds to wait before anything else: a latency spike, alone or with the rest.
        status: Answer with this status instead of running the handler.
        headers: Extra headers for a ``status`` answer (e.g. ``{"Retry-After": "1"}``).
        body: The JSON body of a ``status`` answer; default ``{"error": "injected fault"}``.
        text: A raw, non-JSON body for a ``status`` answer instead of ``body`` (an HTML error
            page from a proxy, say); sent as ``text/plain`` unless ``headers`` says otherwise.
        fault: A transport fault instead of a status: ``"reset"`` (the connection is reset
            without a response, the handler does not run), ``"hang"`` (no response until the
            client goes away or the server stops; the handler does not run), ``"truncate"``
            (the handler runs; the full ``Content-Length`` is announced, half the body sent, then
            the connection is closed), ``"drip"`` (the handler runs; the body arrives in
            ``chunk``-byte pieces ``interval`` seconds apart) or ``"commit_then_drop"`` (the
            handler runs and commits, the idempotency record is stored, and the connection is
            closed without a response).
        interval: Seconds between the pieces of a ``drip``; default 0.5.
        chunk: Bytes per piece of a ``drip``; default 8.
        drift: Imitate API drift instead: the handler runs, then its JSON answer is changed at
            ``field``: ``"omit"`` removes the field, ``"null"`` sets it to ``null``, ``"add"``
            adds it (an unknown field) with ``value``, ``"enum"`` replaces a string value (a
            ``status``, a ``dispatchStatus``) with ``value``, one the SDK has never seen.
        field: Where ``drift`` applies: a dotted path into the JSON body (``"member.lastSeen"``),
            where ``*`` stands for every element of a list (or every value of an object) and a
            number for one list index (``"messages.*.message.snippet"``); or a list of paths.
            Paths that lead nowhere in a given answer change nothing.
        value: The new value for ``drift`` ``"add"`` (default ``"unknown"``) or ``"enum"``
            (default ``"unknown_enum_value"``).

    Raises:
        ValueError: A field has the wrong type or range, or the fields do not fit together.

    Example:
        Fail the next send with a 503 that asks for a retry after one second::

            FaultRule(method="POST", path="^/messages/send$", status=503,
                      headers={"Retry-After": "1"}, times=1)

        Drop ``snippet`` from every item of the next history page::

            FaultRule(path="^/messages/members/", drift="omit",
                      field="messages.*.message.snippet", times=1)
    """

    method: str = "*"
    path: str | None = None
    times: int | None = None
    probability: float = 1.0
    seed: int | None = None
    delay: float = 0.0
    status: int | None = None
    headers: Mapping[str, str] | None = None
    body: Any = UNSET
    text: str | None = None
    fault: str | None = None
    interval: float | None = None
    chunk: int | None = None
    drift: str | None = None
    field: str | Sequence[str] | None = None
    value: Any = UNSET

    def __post_init__(self) -> None:
        if not isinstance(self.method, str) or not (
            self.method == "*" or re.fullmatch(r"[A-Za-z]+", self.method)
        ):
            raise ValueError('method must be an HTTP method name or "*"')
        object.__setattr__(self, "method", self.method.upper())
        if self.path is not None:
            if not isinstance(self.path, str):
                raise ValueError("path must be a regular expression string")
            try:
                re.compile(self.path)
            except re.error as exc:
                raise ValueError(f"path is not a valid regular expression: {exc}") from None
        if self.times is not None and not (_is_int(self.times) and self.times >= 0):
            raise ValueError("times must be an integer >= 0 (or null for unlimited)")
        if not (_is_number(self.probability) and 0 <= self.probability <= 1):
            raise ValueError("probability must be a number between 0 and 1")
        if self.seed is not None and not _is_int(self.seed):
            raise ValueError("seed must be an integer")
        if not (_is_number(self.delay) and self.delay >= 0):
            raise ValueError("delay must be a number of seconds >= 0")
        self._check_effect()
        self._check_drift()

    def _check_drift(self) -> None:
        if self.drift is None:
            if self.field is not None or self.value is not UNSET:
                raise ValueError("field and value only apply to a rule with a drift")
            return
        if self.drift not in DRIFT_KINDS:
            raise ValueError(f"drift must be one of {', '.join(DRIFT_KINDS)}")
        if self.status is not None or self.fault is not None:
            raise ValueError("a rule takes one of status, fault or drift")
        paths = [self.field] if isinstance(self.field, str) else self.field
        if not isinstance(paths, list | tuple) or not paths:
            raise ValueError("a drift rule needs field: a dotted path or a list of them")
        for path in paths:
            if not isinstance(path, str) or not all(path.split(".")):
                raise ValueError(
                    'field must be a dotted path of non-empty names, e.g. "member.lastSeen"'
                )
        if self.drift == "add" and any(path.split(".")[-1] == WILDCARD for path in paths):
            raise ValueError('field of an "add" drift must end in the name of the new field')
        if not isinstance(self.field, str):
            object.__setattr__(self, "field", tuple(paths))
        if self.value is not UNSET:
            if self.drift not in DEFAULT_DRIFT_VALUES:
                raise ValueError('value only applies to drift "add" and "enum"')
            try:
                json.dumps(self.value, allow_nan=False)
            except (TypeError, ValueError):
                raise ValueError("value must be JSON-serialisable") from None

    def _check_effect(self) -> None:
        if self.status is not None:
            if not (_is_int(self.status) and 100 <= self.status <= 599):
                raise ValueError("status must be an integer between 100 and 599")
            if self.fault is not None:
                raise ValueError("a rule takes either status or fault, not both")
        elif self.headers is not None or self.body is not UNSET or self.text is not None:
            raise ValueError("headers, body and text only apply to a rule with a status")
        if self.headers is not None and not (
            isinstance(self.headers, Mapping)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in self.headers.items())
        ):
            raise ValueError("headers must be an object of string values")
        if self.text is not None:
            if not isinstance(self.text, str):
                raise ValueError("text must be a string")
            if self.body is not UNSET:
                raise ValueError("a rule takes either body or text, not both")
        if self.body is not UNSET:
            try:
                json.dumps(self.body, allow_nan=False)
            except (TypeError, ValueError):
                raise ValueError("body must be JSON-serialisable") from None
        if self.fault is not None and self.fault not in FAULT_KINDS:
            raise ValueError(f"fault must be one of {', '.join(FAULT_KINDS)}")
        if self.fault != "drip" and (self.interval is not None or self.chunk is not None):
            raise ValueError('interval and chunk only apply to fault "drip"')
        if self.interval is not None and not (_is_number(self.interval) and self.interval >= 0):
            raise ValueError("interval must be a number of seconds >= 0")
        if self.chunk is not None and not (_is_int(self.chunk) and self.chunk >= 1):
            raise ValueError("chunk must be an integer >= 1")
        if self.status is None and self.fault is None and self.drift is None and self.delay == 0:
            raise ValueError("a rule needs a status, a fault, a drift or a delay")

    @property
    def kind(self) -> str:
        """What the rule does: a fault name, ``"status"``, ``"drift"``, or ``"delay"`` alone."""
        if self.fault is not None:
            return self.fault
        if self.drift is not None:
            return "drift"
        return "status" if self.status is not None else "delay"

    @property
    def drip_interval(self) -> float:
        """Seconds between the pieces of a ``drip``."""
        return DEFAULT_DRIP_INTERVAL if self.interval is None else self.interval

    @property
    def drip_chunk(self) -> int:
        """Bytes per piece of a ``drip``."""
        return DEFAULT_DRIP_CHUNK if self.chunk is None else self.chunk

    @property
    def drift_paths(self) -> tuple[str, ...]:
        """The dotted paths a ``drift`` changes."""
        if self.field is None:
            return ()
        return (self.field,) if isinstance(self.field, str) else tuple(self.field)

    @property
    def drift_value(self) -> Any:
        """The value an ``add`` or ``enum`` drift writes."""
        if self.value is not UNSET:
            return self.value
        return DEFAULT_DRIFT_VALUES.get(self.drift or "")

    @property
    def status_body(self) -> Any:
        """The JSON body of a ``status`` answer."""
        return DEFAULT_FAULT_BODY if self.body is UNSET else self.body

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FaultRule:
        """Build a rule from its JSON form.

        Raises:
            ValueError: ``data`` is not an object, has unknown keys, or a field is invalid.
        """
        if not isinstance(data, Mapping):
            raise ValueError("a fault rule must be a JSON object")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(
                f"unknown fault rule field(s): {', '.join(unknown)}"
                f" (known: {', '.join(sorted(known))})"
            )
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        """The rule's JSON form; fields left at their defaults are omitted."""
        result: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is UNSET or value == f.default:
                continue
            if isinstance(value, tuple):
                value = list(value)
            result[f.name] = dict(value) if isinstance(value, Mapping) else value
        return result


class ArmedRule:
    """A rule in use: its id, compiled pattern, remaining budget and random generator."""

    __slots__ = ("_pattern", "_random", "fired", "id", "remaining", "rule")

    def __init__(self, rule: FaultRule) -> None:
        self.id = new_id("flt")
        self.rule = rule
        self.remaining = rule.times
        self.fired = 0
        self._pattern = None if rule.path is None else re.compile(rule.path)
        self._random = random.Random(rule.seed)

    def matches(self, method: str, path: str) -> bool:
        """Whether the rule covers this request."""
        if self.rule.method not in ("*", method):
            return False
        return self._pattern is None or self._pattern.search(path) is not None

    def fire(self) -> bool:
        """Draw whether the rule applies now, spending one unit of budget if it does."""
        if self.remaining == 0:
            return False
        if self.rule.probability < 1 and self._random.random() >= self.rule.probability:
            return False
        if self.remaining is not None:
            self.remaining -= 1
        self.fired += 1
        return True

    def describe(self) -> dict[str, Any]:
        """The rule's JSON form plus ``id``, ``remaining`` and ``fired``."""
        return {
            "id": self.id,
            **self.rule.to_dict(),
            "remaining": self.remaining,
            "fired": self.fired,
        }


class FaultSet:
    """The ordered list of active rules.

    Args:
        rules: Rules to start with (``--faults``, ``EmulatorConfig.faults``).
    """

    def __init__(self, rules: tuple[FaultRule, ...] = ()) -> None:
        self._armed: list[ArmedRule] = []
        for rule in rules:
            self.add(rule)

    def add(self, rule: FaultRule) -> str:
        """Append a rule; returns its id."""
        armed = ArmedRule(rule)
        self._armed.append(armed)
        return armed.id

    def remove(self, rule_id: str) -> bool:
        """Remove one rule; returns whether it existed."""
        before = len(self._armed)
        self._armed = [armed for armed in self._armed if armed.id != rule_id]
        return len(self._armed) != before

    def clear(self) -> None:
        """Remove every rule."""
        self._armed.clear()

    def pick(self, method: str, path: str) -> ArmedRule | None:
        """The first rule that matches and fires for this request, if any."""
        for armed in self._armed:
            if armed.matches(method, path) and armed.fire():
                return armed
        return None

    def describe(self) -> list[dict[str, Any]]:
        """Every rule in order, as ``ArmedRule.describe`` shows it."""
        return [armed.describe() for armed in self._armed]
