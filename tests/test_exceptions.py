"""The exception hierarchy: messages users can act on, and errors that survive pickling."""

from __future__ import annotations

import pickle

import pytest

from chimekit_core import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    ChimeKitError,
    InternalServerError,
    NotFoundError,
    RateLimitError,
)


def test_hierarchy() -> None:
    """Timeouts are connection errors; everything is a ChimeKitError."""
    assert issubclass(APITimeoutError, APIConnectionError)
    for cls in (APIConnectionError, APIResponseValidationError, APIStatusError):
        assert issubclass(cls, ChimeKitError)


@pytest.mark.parametrize(
    "error",
    [
        NotFoundError(
            "member not found",
            status_code=404,
            body={"error": "member not found"},
            request_id="req_1",
            response_headers={"x-request-id": "req_1"},
        ),
        RateLimitError("slow down", body=None, request_id="req_2", retry_after=12.5),
        InternalServerError("boom", status_code=503, body="<html>", request_id=None),
    ],
)
def test_status_errors_pickle_round_trip(error: APIStatusError) -> None:
    """Celery pickles task exceptions: class, fields and retry_after come back intact."""
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert copy.message == error.message
    assert copy.status_code == error.status_code
    assert copy.body == error.body
    assert copy.request_id == error.request_id
    assert copy.response_headers == error.response_headers
    assert str(copy) == str(error)
    if isinstance(error, RateLimitError):
        assert isinstance(copy, RateLimitError)
        assert copy.retry_after == 12.5


def test_messages_carry_status_and_request_id() -> None:
    """str() of a status error has the code, the API's message and the request id."""
    error = NotFoundError("member not found", status_code=404, request_id="req_9")
    assert str(error) == "Error code: 404 - member not found (request id: req_9)"
    bad_body = APIResponseValidationError("not JSON", status_code=200, body="x", request_id="r")
    assert "HTTP 200" in str(bad_body)
    assert "request id: r" in str(bad_body)
