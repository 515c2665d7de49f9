"""The converter's generated response hooks behave exactly like cattrs' own generated hooks.

``chimekit_core._converter`` generates its own structure code for speed (see its module
docstring). This builds the converter the SDK had before, from cattrs'
``make_dict_structure_fn`` with the same shared hooks, and checks that both give the same
results (same values, same classes) and raise the same errors (same type, same message)
for valid bodies and for thousands of broken ones.
"""

from __future__ import annotations

import contextlib
import copy
import random
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import attrs
import cattrs
import pytest
from cattrs.gen import make_dict_structure_fn, override

from chimekit_core import _converter as conv
from chimekit_core import _models as m
from chimekit_core._converter import instance_builder, structure
from chimekit_core._http import Request, Response


def _reference_converter() -> cattrs.Converter:
    reference = cattrs.Converter(detailed_validation=False)
    reference.register_structure_hook(datetime, conv._structure_datetime)
    reference.register_structure_hook(str, conv._structure_str)
    reference.register_structure_hook(bool, conv._structure_bool)
    reference.register_structure_hook_func(lambda t: t == m.JSONObject, conv._structure_json_object)
    reference.register_structure_hook_func(lambda t: t is Any, conv._passthrough)

    def optional_hook(type_: Any, converter: cattrs.Converter) -> Any:
        inner_type = conv._optional_member(type_)
        if inner_type is str:
            return conv._structure_optional_str
        inner = converter.get_structure_hook(inner_type)
        return lambda value, _: None if value is None else inner(value, inner_type)

    reference.register_structure_hook_factory(
        lambda t: conv._optional_member(t) is not None, optional_hook
    )
    for cls in conv._RESPONSE_MODELS:
        renames = {f.name: override(rename=conv.wire_name(f)) for f in attrs.fields(cls)}
        reference.register_structure_hook(
            cls,
            make_dict_structure_fn(cls, reference, **renames),  # type: ignore[arg-type]
        )
    return reference


REFERENCE = _reference_converter()

_MESSAGE: dict[str, Any] = {
    "id": "msg_1",
    "memberId": "mem_1",
    "categoryId": "cat_1",
    "source": "sdk",
    "templateId": None,
    "templateVersionId": None,
    "payload": {},
    "dispatchStatus": "dispatched",
    "scheduledFor": None,
    "createdAt": "2025-01-01T00:00:00.000Z",
}
_RECIPIENT: dict[str, Any] = {
    "id": "mem_1",
    "externalUserId": "u",
    "displayName": "Ava",
    "email": "a@b.c",
}
_ITEM: dict[str, Any] = {
    "message": {
        "id": "msg_1",
        "memberId": "mem_1",
        "categoryId": "cat_1",
        "source": "sdk",
        "dispatchStatus": "dispatched",
        "scheduledFor": "2025-01-02T00:00:00+02:00",
        "createdAt": "2025-01-01T00:00:00.000Z",
        "snippet": "hi",
    },
    "delivery": None,
    "recipient": _RECIPIENT,
    "category": {"id": "cat_1", "name": "Product"},
}

SAMPLES: list[tuple[Any, Any]] = [
    (
        m.MessageListResponse,
        {
            "messages": [
                _ITEM,
                {**_ITEM, "message": {**_ITEM["message"], "id": "msg_2"}},
                {**_ITEM, "recipient": {**_RECIPIENT, "email": None}, "category": None},
            ],
            "pagination": {"totalCount": 3, "limit": 20, "offset": 0},
        },
    ),
    (
        m.Member | None,
        {
            "id": "u",
            "email": "a@b.c",
            "displayName": None,
            "identities": [{"type": "email", "value": "a@b.c", "verified": True}],
            "attributes": {"plan": "pro"},
            "created": "2025-01-01T00:00:00.000Z",
            "updated": None,
            "deleted": None,
            "lastSeen": None,
        },
    ),
    (
        list[m.Suppression],
        [
            {
                "id": "sup_1",
                "reason": "opt-out",
                "createdAt": "2025-01-01T00:00:00.000Z",
                "updatedAt": None,
                "identity": {
                    "id": "aid_1",
                    "type": "email",
                    "value": "a@b.c",
                    "verified": True,
                    "metadata": None,
                },
                "category": None,
            }
        ],
    ),
    (
        m.SentMessage,
        {
            "message": _MESSAGE,
            "delivery": None,
            "notification": {
                "id": "not_1",
                "title": "T",
                "snippet": None,
                "body": None,
                "actions": [{"label": "x"}],
                "readAt": None,
                "archivedAt": None,
            },
            "audienceMember": {"id": "mem_1"},
        },
    ),
    (
        m.MessageDetail,
        {"message": _MESSAGE, "delivery": {"x": 1}, "notification": None, "recipient": _RECIPIENT},
    ),
    (
        m.WorkflowRun,
        {
            "id": "wr_1",
            "workflowVersionId": "wv",
            "workflowId": "w",
            "workflowKey": "k",
            "status": "queued",
            "memberId": "mem_1",
            "memberExternalUserId": "u",
            "createdAt": "2025-01-01T00:00:00.000Z",
            "startedAt": None,
            "finishedAt": None,
            "context": {},
        },
    ),
    (m.WorkflowRunRef, {"runId": "wr_1", "status": "queued"}),
]

WEIRD: list[Any] = [
    None,
    0,
    1,
    1.5,
    True,
    "",
    "x",
    "12",
    "2025-01-01T00:00:00",
    "not a date",
    [],
    [1],
    {},
    {"id": "x"},
    {"id": "x", "name": None},
]


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    value = copy.deepcopy(value)
    cursor = value
    for key in path[:-1]:
        cursor = cursor[key]
    cursor[path[-1]] = new
    return value


def _removed(value: Any, path: tuple[Any, ...]) -> Any:
    value = copy.deepcopy(value)
    cursor = value
    for key in path[:-1]:
        cursor = cursor[key]
    del cursor[path[-1]]
    return value


def _variants(body: Any) -> Iterator[Any]:
    yield body
    paths = list(_paths(body))
    for path in paths:
        for weird in WEIRD:
            yield _replaced(body, path, weird)
        if path and isinstance(path[-1], str):
            yield _removed(body, path)
            yield _replaced(body, (*path[:-1], "unknownField"), 1)
    rng = random.Random(5)
    for _ in range(100 if len(paths) > 2 else 0):
        first, second = rng.sample(paths, 2)
        variant = _replaced(body, first, rng.choice(WEIRD))
        with contextlib.suppress(KeyError, IndexError, TypeError):
            variant = _replaced(variant, second, rng.choice(WEIRD))
        yield variant


def _outcome(call: Any) -> tuple[Any, ...]:
    try:
        result = call()
    except Exception as exc:  # the comparison is the point: any exception
        return ("raised", type(exc), str(exc))
    return ("returned", repr(result), type(result))


@pytest.mark.parametrize(("cls", "body"), SAMPLES, ids=lambda v: getattr(v, "__name__", None))
def test_generated_hooks_match_cattrs_generated_hooks(cls: Any, body: Any) -> None:
    checked = 0
    for variant in _variants(body):
        expected = _outcome(lambda v=variant: REFERENCE.structure(v, cls))
        assert _outcome(lambda v=variant: structure(v, cls)) == expected, variant
        checked += 1
    assert checked > 50


def test_structured_models_are_frozen_real_instances() -> None:
    cls, body = SAMPLES[0]
    page = structure(body, cls)
    assert page == REFERENCE.structure(body, cls)
    item = page.messages[0]
    assert type(item) is m.MessageListItem
    assert hash(item) == hash(REFERENCE.structure(body, cls).messages[0])
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        item.delivery = {}  # type: ignore[misc]
    assert attrs.evolve(item, delivery={"a": 1}).delivery == {"a": 1}


def test_instance_builder_builds_real_frozen_instances() -> None:
    response = instance_builder(Response)(200, {"x-request-id": "r"}, b"{}")
    assert response == Response(status=200, headers={"x-request-id": "r"}, content=b"{}")
    assert type(response) is Response
    assert response.request_id == "r"
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        response.status = 500  # type: ignore[misc]
    request = instance_builder(Request)("GET", "http://h/p", {}, None, "/p")
    assert request == Request(method="GET", url="http://h/p", headers={}, body=None, path="/p")


def test_instance_builder_keeps_init_for_classes_that_validate() -> None:
    @attrs.frozen
    class Checked:
        value: int = attrs.field(validator=attrs.validators.instance_of(int))

    assert instance_builder(Checked) is Checked
