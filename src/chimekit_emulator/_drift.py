"""What a ``drift`` rule does to a JSON answer: omit, null, add or change fields by dotted path.

Pure functions on parsed JSON; the pipeline in ``_app`` parses the handler's answer, applies the
rule and sends the result.
"""

from __future__ import annotations

from typing import Any, Final

from ._faults import WILDCARD, FaultRule


def _targets(node: Any, segments: list[str]) -> list[tuple[Any, str | int]]:
    """The (container, key) pairs a path's last segment names, below every ``*``."""
    *parents, last = segments
    nodes = [node]
    for segment in parents:
        nodes = [child for current in nodes for child in _children(current, segment)]
    found: list[tuple[Any, str | int]] = []
    for current in nodes:
        if isinstance(current, dict):
            keys: list[str | int] = list(current) if last == WILDCARD else [last]
            found.extend((current, key) for key in keys)
        elif isinstance(current, list):
            if last == WILDCARD:
                found.extend((current, index) for index in range(len(current)))
            elif last.isdigit() and int(last) < len(current):
                found.append((current, int(last)))
    return found


def _children(node: Any, segment: str) -> list[Any]:
    if isinstance(node, dict):
        if segment == WILDCARD:
            return list(node.values())
        return [node[segment]] if segment in node else []
    if isinstance(node, list):
        if segment == WILDCARD:
            return list(node)
        if segment.isdigit() and int(segment) < len(node):
            return [node[int(segment)]]
    return []


def apply_drift(rule: FaultRule, document: Any) -> Any:
    """``document`` (parsed JSON, changed in place) with the rule's drift applied; returns it."""
    for path in rule.drift_paths:
        for container, key in _targets(document, path.split(".")):
            if rule.drift == "add":
                if isinstance(container, dict):
                    container[key] = rule.drift_value
            elif isinstance(container, dict) and key not in container:
                continue
            elif rule.drift == "omit":
                if isinstance(container, dict):
                    del container[key]
                else:  # a list element cannot be absent; it goes, and the list is shorter
                    container[key] = _REMOVED
            elif rule.drift == "null":
                container[key] = None
            elif isinstance(container[key], str):  # "enum"
                container[key] = rule.drift_value
        _sweep(document)
    return document


class _Removed:
    pass


_REMOVED: Final = _Removed()


def _sweep(node: Any) -> None:
    """Drop list elements an ``omit`` marked for removal."""
    if isinstance(node, dict):
        for child in node.values():
            _sweep(child)
    elif isinstance(node, list):
        node[:] = [child for child in node if child is not _REMOVED]
        for child in node:
            _sweep(child)
