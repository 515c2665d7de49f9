"""Every exported exception survives pickle and deepcopy (Celery, ProcessPoolExecutor)."""

from __future__ import annotations

import copy
import inspect
import pickle
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest

import chimekit_core
from chimekit_core import APIResponseValidationError

# A sample value for each constructor parameter, by name (not by class): a new exception
# class is covered as soon as it is exported.
SAMPLES: dict[str, Any] = {
    "message": "something went wrong",
    "status_code": 418,
    "body": {"error": "teapot", "nested": [1, 2]},
    "request_id": "req_123",
    "response_headers": {"x-request-id": "req_123"},
    "retry_after": 12.5,
    "method": "POST",
    "url": "http://127.0.0.1:1/sdk/v1/messages/send",
    "idempotency_key": "key_42",
}

EXPORTED = sorted(
    (
        value
        for value in (getattr(chimekit_core, name) for name in chimekit_core.__all__)
        if isinstance(value, type) and issubclass(value, BaseException)
    ),
    key=lambda cls: cls.__name__,
)


def _build(cls: type[BaseException]) -> BaseException:
    """An instance of ``cls`` with every constructor argument set to a non-default sample."""
    arguments: list[Any] = []
    keywords: dict[str, Any] = {}
    try:
        parameters = inspect.signature(cls).parameters
    except ValueError:  # the builtin Exception.__init__: a message only
        return cls(SAMPLES["message"])
    for name, parameter in parameters.items():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            if name == "args":
                arguments.append(SAMPLES["message"])
            continue
        assert name in SAMPLES, f"add a sample value for the parameter {name!r} of {cls}"
        if parameter.kind is parameter.KEYWORD_ONLY:
            keywords[name] = SAMPLES[name]
        else:
            arguments.append(SAMPLES[name])
    return cls(*arguments, **keywords)


def _state(error: BaseException) -> tuple[Any, ...]:
    return (type(error), str(error), error.args, vars(error))


def test_the_exports_include_every_error_class() -> None:
    """The enumeration finds the whole hierarchy (so the round trips below cover it)."""
    assert {cls.__name__ for cls in EXPORTED} >= {
        "APIConnectionError",
        "APIResponseValidationError",
        "APIStatusError",
        "APITimeoutError",
        "AuthenticationError",
        "BadRequestError",
        "ChimeKitError",
        "ConflictError",
        "InternalServerError",
        "NotFoundError",
        "PermissionDeniedError",
        "RateLimitError",
        "UnprocessableEntityError",
    }


@pytest.mark.parametrize("cls", EXPORTED, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize(
    "round_trip",
    [lambda e: pickle.loads(pickle.dumps(e)), copy.deepcopy, copy.copy],
    ids=["pickle", "deepcopy", "copy"],
)
def test_exception_round_trips_with_message_and_fields(
    cls: type[BaseException], round_trip: Callable[[BaseException], BaseException]
) -> None:
    """pickle, deepcopy and copy give the same class, str(), args and every attribute."""
    error = _build(cls)
    # The fields are really set (the base error and the warning carry only a message).
    assert vars(error) or cls in (
        chimekit_core.ChimeKitError,
        chimekit_core.InsecureTransportWarning,
    )
    again = round_trip(error)
    assert again is not error
    assert _state(again) == _state(error)


def test_deepcopy_does_not_share_the_body() -> None:
    """deepcopy copies mutable fields instead of sharing them with the original."""
    error = _build(APIResponseValidationError)
    assert isinstance(error, APIResponseValidationError)
    again = copy.deepcopy(error)
    assert again.body == error.body
    assert again.body is not error.body


def _raise_in_child(key: str) -> None:
    raise APIResponseValidationError(
        "The API accepted the request but its response could not be read (JSONDecodeError)",
        status_code=201,
        body="<html>",
        request_id="req_child",
        idempotency_key=key,
    )


def test_validation_error_crosses_a_process_pool() -> None:
    """An APIResponseValidationError raised in a worker process reaches the parent intact."""
    with ProcessPoolExecutor(max_workers=1) as pool:
        future = pool.submit(_raise_in_child, "key_from_child")
        with pytest.raises(APIResponseValidationError) as caught:
            future.result(timeout=30)
        # The pool still works afterwards (a failed unpickle breaks it: BrokenProcessPool).
        assert pool.submit(len, "abc").result(timeout=30) == 3
    error = caught.value
    assert str(error) == (
        "The API accepted the request but its response could not be read (JSONDecodeError)"
        " (HTTP 201) (request id: req_child)"
    )
    assert (error.status_code, error.body, error.request_id, error.idempotency_key) == (
        201,
        "<html>",
        "req_child",
        "key_from_child",
    )
