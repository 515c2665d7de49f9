"""Fixtures: the workflows, categories and templates that exist, for strict checking.

Without fixtures the emulator accepts any workflow key, category or template id, as it always
did. Each section of a fixtures document that is present (even as an empty list) makes that kind
strict: a request that names something the section does not declare is refused with a 404 in the
API's error shape, so a typo fails in tests as it would against the real API. The default
category ``cat_default`` always exists.

The JSON form (``--fixtures FILE.json``, ``PUT /_emulator/fixtures``)::

    {
      "workflows": [
        "welcome-sequence",
        {"key": "digest", "queuedSeconds": 0, "runningSeconds": 2, "finalStatus": "failed"}
      ],
      "categories": ["cat_marketing", {"id": "cat_billing", "name": "Billing"}],
      "templates": [
        "tpl_welcome",
        {"id": "tpl_invoice", "categoryId": "cat_billing", "versions": ["tv_1", "tv_2"]}
      ]
    }
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from ._reply import ApiError
from ._store import DEFAULT_CATEGORY_ID, DEFAULT_CATEGORY_NAME

SECTIONS: Final = ("workflows", "categories", "templates")
RUN_OUTCOMES: Final = ("completed", "failed")
_SHOWN: Final = 20


def _quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _keys(item: Any, where: str, allowed: set[str]) -> None:
    unknown = sorted(set(item) - allowed)
    if unknown:
        raise ValueError(
            f"{where}: unknown field(s) {', '.join(unknown)} (known: {', '.join(sorted(allowed))})"
        )


def _text(item: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str | None:
    value = item.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise ValueError(f"{where}.{key} must be a non-empty string")
    return value


def _seconds(item: Mapping[str, Any], key: str, where: str) -> float | None:
    value = item.get(key)
    if value is None:
        return None
    if (
        not isinstance(value, int | float)
        or isinstance(value, bool)
        or not math.isfinite(value)
        or value < 0
    ):
        raise ValueError(f"{where}.{key} must be a number of seconds >= 0")
    return float(value)


@dataclass(frozen=True, slots=True)
class WorkflowFixture:
    """A workflow that exists, with its own schedule (``None``: the emulator's default)."""

    key: str
    queued_seconds: float | None = None
    running_seconds: float | None = None
    final_status: str = "completed"

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "key": self.key,
            "queuedSeconds": self.queued_seconds,
            "runningSeconds": self.running_seconds,
            "finalStatus": self.final_status,
        }


@dataclass(frozen=True, slots=True)
class TemplateFixture:
    """A template that exists; ``versions=None`` accepts any ``templateVersionId``."""

    id: str
    category_id: str | None = None
    versions: tuple[str, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "id": self.id,
            "categoryId": self.category_id,
            "versions": None if self.versions is None else list(self.versions),
        }


def _workflow(item: Any, where: str) -> WorkflowFixture:
    if isinstance(item, str):
        item = {"key": item}
    if not isinstance(item, Mapping):
        raise ValueError(f"{where} must be a workflow key or an object")
    _keys(item, where, {"key", "queuedSeconds", "runningSeconds", "finalStatus"})
    final_status = item.get("finalStatus", "completed")
    if final_status not in RUN_OUTCOMES:
        raise ValueError(f"{where}.finalStatus must be one of {', '.join(RUN_OUTCOMES)}")
    return WorkflowFixture(
        key=str(_text(item, "key", where, required=True)),
        queued_seconds=_seconds(item, "queuedSeconds", where),
        running_seconds=_seconds(item, "runningSeconds", where),
        final_status=final_status,
    )


def _category(item: Any, where: str) -> tuple[str, str]:
    if isinstance(item, str):
        item = {"id": item}
    if not isinstance(item, Mapping):
        raise ValueError(f"{where} must be a category id or an object")
    _keys(item, where, {"id", "name"})
    category_id = str(_text(item, "id", where, required=True))
    return category_id, _text(item, "name", where) or category_id


def _template(item: Any, where: str) -> TemplateFixture:
    if isinstance(item, str):
        item = {"id": item}
    if not isinstance(item, Mapping):
        raise ValueError(f"{where} must be a template id or an object")
    _keys(item, where, {"id", "categoryId", "versions"})
    versions = item.get("versions")
    if versions is not None:
        if not isinstance(versions, list) or not all(isinstance(v, str) and v for v in versions):
            raise ValueError(f"{where}.versions must be a list of non-empty strings")
        versions = tuple(versions)
    return TemplateFixture(
        id=str(_text(item, "id", where, required=True)),
        category_id=_text(item, "categoryId", where),
        versions=versions,
    )


def _not_found(kind: str, label: str, value: str, declared: list[str]) -> ApiError:
    shown = ", ".join(_quoted(name) for name in sorted(declared)[:_SHOWN])
    more = f" and {len(declared) - _SHOWN} more" if len(declared) > _SHOWN else ""
    known = f"the fixtures declare {shown}{more}" if declared else "the fixtures declare none"
    return ApiError(404, f"{label}: {kind} {_quoted(value)} not found ({known})")


class Fixtures:
    """What exists; a section that is ``None`` is not checked.

    Args:
        workflows: The declared workflows, or ``None`` to accept any key.
        categories: Declared category ids and their names, or ``None`` to accept any.
        templates: The declared templates, or ``None`` to accept any id.
    """

    def __init__(
        self,
        workflows: list[WorkflowFixture] | None = None,
        categories: Mapping[str, str] | None = None,
        templates: list[TemplateFixture] | None = None,
    ) -> None:
        self.workflows = None if workflows is None else {w.key: w for w in workflows}
        self.categories = None if categories is None else dict(categories)
        self.templates = None if templates is None else {t.id: t for t in templates}

    @classmethod
    def from_dict(cls, data: Any) -> Fixtures:
        """Read the JSON form.

        Raises:
            ValueError: It is not an object, has unknown sections, or an entry is invalid.
        """
        if not isinstance(data, Mapping):
            raise ValueError("fixtures must be a JSON object")
        _keys(data, "fixtures", set(SECTIONS))
        sections: dict[str, list[Any] | None] = {}
        for name in SECTIONS:
            value = data.get(name)
            if value is not None and not isinstance(value, list):
                raise ValueError(f"{name} must be a list (or null: not checked)")
            sections[name] = value
        workflows = sections["workflows"]
        categories = sections["categories"]
        templates = sections["templates"]
        result = cls(
            None
            if workflows is None
            else [_workflow(w, f"workflows[{i}]") for i, w in enumerate(workflows)],
            None
            if categories is None
            else dict(_category(c, f"categories[{i}]") for i, c in enumerate(categories)),
            None
            if templates is None
            else [_template(t, f"templates[{i}]") for i, t in enumerate(templates)],
        )
        if result.categories is not None and result.templates is not None:
            for index, template in enumerate(result.templates.values()):
                if template.category_id is not None:
                    try:
                        result.category_name(template.category_id, f"templates[{index}].categoryId")
                    except ApiError as exc:
                        raise ValueError(exc.message) from None
        return result

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``None`` for a section that is not checked)."""
        return {
            "workflows": None
            if self.workflows is None
            else [w.to_dict() for w in self.workflows.values()],
            "categories": None
            if self.categories is None
            else [{"id": key, "name": name} for key, name in self.categories.items()],
            "templates": None
            if self.templates is None
            else [t.to_dict() for t in self.templates.values()],
        }

    def workflow(self, key: str) -> WorkflowFixture | None:
        """The declared workflow (``None`` when workflows are not checked).

        Raises:
            ApiError: 404 when workflows are declared and ``key`` is not one of them.
        """
        if self.workflows is None:
            return None
        found = self.workflows.get(key)
        if found is None:
            raise _not_found("workflow", "workflowKey", key, list(self.workflows))
        return found

    def category_name(self, category_id: str, label: str) -> str | None:
        """The declared name of a category (``None`` when categories are not checked).

        Raises:
            ApiError: 404 when categories are declared and ``category_id`` is not one of them.
        """
        if category_id == DEFAULT_CATEGORY_ID:
            return DEFAULT_CATEGORY_NAME
        if self.categories is None:
            return None
        name = self.categories.get(category_id)
        if name is None:
            declared = [DEFAULT_CATEGORY_ID, *self.categories]
            raise _not_found("category", label, category_id, declared)
        return name

    def template_category(self, template_id: str, version_id: str | None, label: str) -> str | None:
        """The category a declared template sends in, if it names one.

        Raises:
            ApiError: 404 when templates are declared and ``template_id`` is not one of them, or
                the template lists its versions and ``version_id`` is not one of them.
        """
        if self.templates is None:
            return None
        template = self.templates.get(template_id)
        if template is None:
            raise _not_found("template", label, template_id, list(self.templates))
        versions = template.versions
        if version_id is not None and versions is not None and version_id not in versions:
            raise _not_found(
                "template version", "content.templateVersionId", version_id, list(versions)
            )
        return template.category_id


PERMISSIVE: Final = Fixtures()
"""No fixtures: every workflow, category and template is accepted."""
