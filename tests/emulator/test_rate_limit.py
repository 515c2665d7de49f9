"""The per-key rate limit: exact 429 counts, Retry-After, independence of keys, admin control."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator

import pytest

from chimekit_emulator import EmulatorConfig, EmulatorHandle, EmulatorServer

from .harness import Api, Response

MEMBER = "/audience/members/u1"
RATE_ERROR = "rate limit exceeded: at most {} requests per second per API key"


@pytest.fixture
def limited() -> Iterator[EmulatorServer]:
    """An emulator limited to 5 requests per second per key, accepting two keys."""
    config = EmulatorConfig(secret_keys=["sk_test_a", "sk_test_b"], rate_limit=5)
    with EmulatorServer(config) as server:
        yield server


def _burst(api: Api, count: int) -> list[Response]:
    return [api.get(MEMBER) for _ in range(count)]


def test_a_burst_gets_exactly_the_excess_refused(limited: EmulatorServer) -> None:
    """12 requests at once with a limit of 5: exactly the last 7 are 429, in the error shape."""
    responses = _burst(Api(limited.base_url, "sk_test_a"), 12)
    assert [r.status for r in responses] == [200] * 5 + [429] * 7
    refused = responses[-1]
    assert refused.json() == {"error": RATE_ERROR.format(5)}
    assert refused.headers["Content-Type"] == "application/json; charset=utf-8"
    assert refused.headers["X-Request-Id"].startswith("req_")


def test_retry_after_is_the_real_wait_rounded_up(limited: EmulatorServer) -> None:
    """Retry-After is whole seconds (1 here), retry-after-ms the wait; after it, a 200."""
    api = Api(limited.base_url, "sk_test_a")
    started = time.monotonic()
    _burst(api, 5)
    refused = api.get(MEMBER)
    elapsed_ms = (time.monotonic() - started) * 1000
    assert refused.status == 429
    assert refused.headers["Retry-After"] == "1"
    wait_ms = int(refused.headers["retry-after-ms"])
    assert 1000 - math.ceil(elapsed_ms) <= wait_ms <= 1000
    time.sleep(wait_ms / 1000)  # waiting as the server says is the behaviour under test
    assert api.get(MEMBER).status == 200


def test_keys_are_limited_independently(limited: EmulatorServer) -> None:
    """One key over its limit does not slow another key down."""
    first, second = Api(limited.base_url, "sk_test_a"), Api(limited.base_url, "sk_test_b")
    assert [r.status for r in _burst(first, 6)] == [200] * 5 + [429]
    assert [r.status for r in _burst(second, 6)] == [200] * 5 + [429]


def test_refusals_and_unknown_keys_do_not_count(limited: EmulatorServer) -> None:
    """401s are not counted against anyone; neither are 429s (a client that waits gets in)."""
    api = Api(limited.base_url, "sk_test_a")
    assert {r.status for r in _burst(Api(limited.base_url, "sk_wrong"), 10)} == {401}
    assert api.request("GET", MEMBER, key=None).status == 401
    assert [r.status for r in _burst(api, 7)] == [200] * 5 + [429] * 2


def test_admin_api_is_never_limited(limited: EmulatorServer) -> None:
    """With the key over its limit, admin calls still answer 200."""
    api = Api(limited.base_url, "sk_test_a")
    _burst(api, 6)
    control = EmulatorHandle(limited.base_url, limited.admin_url, "sk_test_a")
    assert [control.health() for _ in range(10)] == [{"status": "ok"}] * 10
    assert len(control.journal()) == 6


def test_admin_sets_and_reset_restores_the_limit(limited: EmulatorServer) -> None:
    """set_rate_limit changes the limit at once (fresh windows); reset restores the configured."""
    api = Api(limited.base_url, "sk_test_a")
    control = EmulatorHandle(limited.base_url, limited.admin_url, "sk_test_a")
    assert [r.status for r in _burst(api, 6)][-1] == 429
    control.set_rate_limit(None)
    assert {r.status for r in _burst(api, 20)} == {200}
    control.set_rate_limit(2)
    assert api.get("/_emulator/config", prefix="").json()["rateLimit"] == 2
    assert [r.status for r in _burst(api, 3)] == [200, 200, 429]
    control.reset()
    assert [r.status for r in _burst(api, 6)] == [200] * 5 + [429]


def test_the_session_emulator_is_unlimited_unless_asked(
    api: Api, chimekit_emulator: EmulatorHandle
) -> None:
    """The plugin's emulator has no limit; the handle sets one; the next test's reset lifts it."""
    assert {r.status for r in _burst(api, 15)} == {200}
    chimekit_emulator.set_rate_limit(3)
    assert [r.status for r in _burst(api, 4)] == [200, 200, 200, 429]
    chimekit_emulator.reset()
    assert {r.status for r in _burst(api, 15)} == {200}


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "10"])
def test_invalid_limits_are_refused(
    api: Api, chimekit_emulator: EmulatorHandle, bad: object
) -> None:
    """A limit that is not an integer >= 1 (or None) is a ValueError here and a 400 there."""
    with pytest.raises(ValueError, match=r"^limit must be an integer >= 1 or None, got "):
        chimekit_emulator.set_rate_limit(bad)  # type: ignore[arg-type]
    response = api.post("/config", {"rateLimit": bad}, prefix="/_emulator")
    assert (response.status, response.error) == (
        400,
        "rateLimit must be an integer >= 1 (requests per second) or null",
    )
    with pytest.raises(ValueError, match=r"^rate_limit must be an integer >= 1"):
        EmulatorConfig(rate_limit=bad)  # type: ignore[arg-type]


@pytest.mark.slow
def test_a_client_that_honours_retry_after_gets_most_of_the_limit() -> None:
    """Obeying only the whole-second Retry-After, a greedy client gets >= 90% of N over 2 s."""
    limit = 20
    with EmulatorServer(EmulatorConfig(rate_limit=limit)) as server:
        api = Api(server.base_url, server.secret_key)
        admitted = 0
        started = time.monotonic()
        while (elapsed := time.monotonic() - started) < 2.0:
            response = api.get(MEMBER)
            if response.status == 429:
                time.sleep(min(int(response.headers["Retry-After"]), 2.0 - elapsed))
            else:
                admitted += 1
        assert admitted / 2.0 >= 0.9 * limit


def test_the_window_slides_exactly() -> None:
    """The limiter admits N in any one-second window and names the exact wait for the next."""
    from chimekit_emulator._ratelimit import RateLimiter, retry_after_headers

    limiter = RateLimiter(3)
    assert [limiter.admit("k", at) for at in (10.0, 10.2, 10.4)] == [None, None, None]
    assert limiter.admit("k", 10.5) == pytest.approx(0.5)
    assert limiter.admit("other", 10.5) is None
    assert limiter.admit("k", 11.0) is None  # the request of 10.0 has left the window
    assert limiter.admit("k", 11.1) == pytest.approx(0.1)
    assert retry_after_headers(0.1) == {"Retry-After": "1", "retry-after-ms": "100"}
    assert retry_after_headers(1.0004) == {"Retry-After": "2", "retry-after-ms": "1001"}
