# GENERATED from tests/async_/test_errors.py by codegen/generate.py: do not edit by hand.
# Edit the async original and run `python codegen/generate.py`.
"""Error mapping: every failure is the contract's typed exception."""

from __future__ import annotations

import pytest

from chimekit_emulator import EmulatorHandle
from chimekit_sync import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ChimeKit,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)

MEMBER_PATH = "^/audience/members/user_1$"


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (418, APIStatusError),
    ],
)
def test_status_maps_to_error_class(
    chimekit: ChimeKit,
    chimekit_emulator: EmulatorHandle,
    status: int,
    error: type[APIStatusError],
) -> None:
    """Each documented status raises its class with message, body, request id and headers."""
    chimekit_emulator.add_fault(path=MEMBER_PATH, status=status, body={"error": "nope"})
    with pytest.raises(error) as caught:
        chimekit.audience.get("user_1")
    exc = caught.value
    assert type(exc) is error
    assert exc.status_code == status
    assert exc.message == "nope"
    assert exc.body == {"error": "nope"}
    assert exc.request_id
    assert exc.response_headers["x-request-id"] == exc.request_id
    assert "nope" in str(exc)
    assert exc.request_id in str(exc)


def test_html_error_page_becomes_status_error(
    make_client: object, chimekit_emulator: EmulatorHandle
) -> None:
    """A proxy's HTML 502 is an InternalServerError whose message summarises the page."""
    client = make_client(max_retries=0)  # type: ignore[operator]
    chimekit_emulator.add_fault(
        path=MEMBER_PATH,
        status=502,
        text="<html><body><h1>502 Bad Gateway</h1></body></html>",
        headers={"Content-Type": "text/html"},
    )
    with pytest.raises(InternalServerError) as caught:
        client.audience.get("user_1")
    assert caught.value.status_code == 502
    assert "502 Bad Gateway" in caught.value.message


def test_real_validation_error_names_the_field(chimekit: ChimeKit) -> None:
    """The emulator's own 400 reaches the caller as BadRequestError with its message."""
    with pytest.raises(BadRequestError, match="externalUserId"):
        chimekit.request("POST", "/audience/identify", json={"displayName": "x"})


@pytest.mark.parametrize(
    ("text", "content_type"),
    [
        ("<html>ok</html>", "text/html"),
        ('{"member": {"id": 5}}', "application/json"),
        ('{"member": {"id": "x"}}', "application/json"),
        ("[1, 2]", "application/json"),
    ],
)
def test_2xx_that_is_not_the_documented_json(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle, text: str, content_type: str
) -> None:
    """A 2xx body that is not JSON, or not the documented shape, is APIResponseValidationError."""
    chimekit_emulator.add_fault(
        path=MEMBER_PATH, status=200, text=text, headers={"Content-Type": content_type}
    )
    with pytest.raises(APIResponseValidationError) as caught:
        chimekit.audience.get("user_1")
    assert caught.value.status_code == 200
    assert caught.value.request_id


def test_rate_limit_with_long_retry_after_is_raised_at_once(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle, retry_waits: list[float]
) -> None:
    """A Retry-After over 60 s is not waited for: RateLimitError.retry_after tells the caller."""
    chimekit_emulator.add_fault(path=MEMBER_PATH, status=429, headers={"Retry-After": "120"})
    with pytest.raises(RateLimitError) as caught:
        chimekit.audience.get("user_1")
    assert caught.value.retry_after == 120.0
    assert retry_waits == []
    assert len([e for e in chimekit_emulator.journal() if "members" in e["path"]]) == 1


def test_redirect_is_not_followed(chimekit: ChimeKit, chimekit_emulator: EmulatorHandle) -> None:
    """A 3xx surfaces as APIStatusError; the credentials never go to the other host."""
    chimekit_emulator.add_fault(
        path=MEMBER_PATH, status=302, headers={"Location": "http://127.0.0.2:1/steal"}
    )
    with pytest.raises(APIStatusError) as caught:
        chimekit.audience.get("user_1")
    assert caught.value.status_code == 302
    assert "not followed" in caught.value.message


def test_empty_2xx_body_is_success_for_remove(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """An empty 200 where the API documents one returns None."""
    chimekit.audience.identify("user_1")
    sup = chimekit.audience.suppressions.add("user_1", identity={"type": "email", "value": "a@b.c"})
    assert chimekit.audience.suppressions.remove("user_1", sup.id) is None


def test_refused_connection_is_a_connection_error_not_a_timeout(
    retry_waits: list[float],
) -> None:
    """Nothing listening on the port: APIConnectionError (not APITimeoutError), after retries."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with ChimeKit("sk_test", base_url=f"http://127.0.0.1:{port}/sdk/v1") as client:
        with pytest.raises(APIConnectionError) as caught:
            client.audience.get("user_1")
    assert not isinstance(caught.value, APITimeoutError)
    assert len(retry_waits) == 3  # 2 retries, plus the wait tenacity computes before stopping
