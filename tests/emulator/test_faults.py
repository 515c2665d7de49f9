"""Fault injection, observed on the real socket, plus rule matching, budgets and seeds."""

from __future__ import annotations

import json
import random
import socket
import time

import aiohttp
import pytest
from bodies import U1

from chimekit_emulator import (
    EmulatorConfig,
    EmulatorControl,
    EmulatorError,
    EmulatorHandle,
    EmulatorServer,
    FaultRule,
)

from .harness import Api, http_request_bytes, raw_exchange, split_http, wait_until

MEMBER_PATH = "^/audience/members/u1$"


def statuses(api: Api, count: int, path: str = "/audience/members/u1") -> list[int]:
    return [api.get(path).status for _ in range(count)]


def test_status_fault_default_body(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """A status rule answers that status with {"error": "injected fault"} and a request id."""
    chimekit_emulator.add_fault(path=MEMBER_PATH, status=503)
    response = api.get("/audience/members/u1")
    assert (response.status, response.json()) == (503, {"error": "injected fault"})
    assert response.headers["X-Request-Id"].startswith("req_")


def test_status_fault_headers_and_body(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """headers and body shape the injected answer (a 429 with Retry-After, say)."""
    chimekit_emulator.add_fault(
        path=MEMBER_PATH, status=429, headers={"Retry-After": "2"}, body={"error": "slow down"}
    )
    response = api.get("/audience/members/u1")
    assert (response.status, response.error) == (429, "slow down")
    assert response.headers["Retry-After"] == "2"


def test_status_fault_raw_text(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """text sends a non-JSON body, e.g. a proxy's HTML error page."""
    chimekit_emulator.add_fault(
        path=MEMBER_PATH,
        status=502,
        text="<html>Bad Gateway</html>",
        headers={"Content-Type": "text/html"},
    )
    response = api.get("/audience/members/u1")
    assert (response.status, response.body) == (502, b"<html>Bad Gateway</html>")
    assert response.headers["Content-Type"] == "text/html"


def test_status_fault_does_not_run_the_handler(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """A request answered by a status rule changes nothing."""
    chimekit_emulator.add_fault(path="^/audience/identify$", status=500, times=1)
    assert api.post("/audience/identify", U1).status == 500
    assert api.get("/audience/members/u1").json() == {"member": None}


def test_times_counts_firings(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """times=2 fails the next two matching requests, then the rule is spent."""
    fault_id = chimekit_emulator.add_fault(path=MEMBER_PATH, status=500, times=2)
    assert statuses(api, 4) == [500, 500, 200, 200]
    (described,) = chimekit_emulator.faults()
    assert described["id"] == fault_id
    assert (described["remaining"], described["fired"]) == (0, 2)


def test_method_and_path_matching(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """A rule only hits its method and paths; the regex is searched after /sdk/v1."""
    chimekit_emulator.add_fault(method="post", path="^/audience/", status=503)
    assert api.get("/audience/members/u1").status == 200
    assert api.post("/audience/identify", U1).status == 503
    chimekit_emulator.clear_faults()
    chimekit_emulator.add_fault(path="limit=7", status=418)
    api.identify("u1")
    assert api.get("/messages/members/u1/messages?limit=7").status == 418
    assert api.get("/messages/members/u1/messages?limit=8").status == 200


def test_first_matching_rule_with_budget_wins(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """Rules apply in order; a spent rule lets the next one through."""
    chimekit_emulator.add_fault(path=MEMBER_PATH, status=500, times=1)
    chimekit_emulator.add_fault(path=MEMBER_PATH, status=502, times=1)
    assert statuses(api, 3) == [500, 502, 200]


def test_probability_with_seed_is_reproducible(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """A seeded rule fails exactly the requests its own Random(seed) picks, run after run."""
    draws = random.Random(7)
    expected = [503 if draws.random() < 0.5 else 200 for _ in range(30)]
    assert {503, 200} <= set(expected)
    for _ in range(2):
        chimekit_emulator.reset()
        chimekit_emulator.add_fault(path=MEMBER_PATH, status=503, probability=0.5, seed=7)
        assert statuses(api, 30) == expected


def test_probability_zero_never_fires(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """probability 0 never applies and lets a later rule decide."""
    chimekit_emulator.add_fault(path=MEMBER_PATH, status=500, probability=0)
    chimekit_emulator.add_fault(path=MEMBER_PATH, status=502, times=1)
    assert statuses(api, 2) == [502, 200]


def test_remove_and_clear(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """remove_fault drops one rule; clear_faults drops all; unknown ids are 404."""
    first = chimekit_emulator.add_fault(path=MEMBER_PATH, status=500)
    chimekit_emulator.add_fault(path="^/messages", status=500)
    chimekit_emulator.remove_fault(first)
    assert api.get("/audience/members/u1").status == 200
    assert [f["path"] for f in chimekit_emulator.faults()] == ["^/messages"]
    with pytest.raises(EmulatorError) as missing:
        chimekit_emulator.remove_fault(first)
    assert missing.value.status == 404
    chimekit_emulator.clear_faults()
    assert chimekit_emulator.faults() == []


def test_add_fault_accepts_a_rule_object(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """A FaultRule can be passed instead of keyword fields."""
    chimekit_emulator.add_fault(FaultRule(path=MEMBER_PATH, status=409, times=1))
    assert statuses(api, 2) == [409, 200]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": 99}, "status must be an integer between 100 and 599"),
        ({"status": 500, "fault": "reset"}, "either status or fault"),
        ({"fault": "explode"}, "fault must be one of"),
        ({"path": "("}, "path is not a valid regular expression"),
        ({"status": 500, "probability": 2}, "probability must be a number between 0 and 1"),
        ({"status": 500, "times": -1}, "times must be an integer >= 0"),
        ({"delay": -1}, "delay must be a number of seconds >= 0"),
        ({"fault": "reset", "interval": 1}, 'interval and chunk only apply to fault "drip"'),
        ({"headers": {"a": "b"}}, "headers, body and text only apply to a rule with a status"),
        ({"method": "GET"}, "a rule needs a status, a fault, a drift or a delay"),
        ({"status": 500, "dealy": 1}, "unknown fault rule field(s): dealy"),
    ],
)
def test_invalid_rules_are_rejected(
    api: Api, chimekit_emulator: EmulatorHandle, fields: dict, message: str
) -> None:
    """Invalid rules fail before sending (ValueError) and on the admin API (400)."""
    with pytest.raises(ValueError) as local:
        chimekit_emulator.add_fault(**fields)
    assert message in str(local.value)
    response = api.post("/faults", fields, prefix="/_emulator", key=None)
    assert response.status == 400
    assert message in response.error


def test_faults_hit_only_the_api(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """A catch-all rule leaves the admin API alone."""
    chimekit_emulator.add_fault(status=500)
    assert api.get("/audience/members/u1").status == 500
    assert chimekit_emulator.health() == {"status": "ok"}


def test_delay_is_a_latency_spike(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """delay holds the answer back, then the request is handled normally."""
    chimekit_emulator.add_fault(path="^/audience/identify$", delay=0.3, times=1)
    started = time.monotonic()
    response = api.post("/audience/identify", U1)
    assert time.monotonic() - started >= 0.25
    assert response.status == 200
    assert api.get("/audience/members/u1").json()["member"]["id"] == "u1"
    (entry,) = [e for e in chimekit_emulator.journal() if e["method"] == "POST"]
    assert (entry["fault"], entry["status"]) == ("delay", 200)


def test_delay_combines_with_status(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """delay plus status: a slow error."""
    chimekit_emulator.add_fault(path=MEMBER_PATH, delay=0.2, status=504, times=1)
    started = time.monotonic()
    assert api.get("/audience/members/u1").status == 504
    assert time.monotonic() - started >= 0.15


def test_reset_closes_without_a_byte(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """reset: the connection is reset with no response bytes, and the handler never runs."""
    chimekit_emulator.add_fault(path="^/audience/identify$", fault="reset", times=1)
    request = http_request_bytes(api, "POST", "/audience/identify", U1)
    pieces, error = raw_exchange(api.host, api.port, request)
    assert pieces == []
    assert isinstance(error, ConnectionResetError)  # a TCP RST, not an orderly close
    assert api.get("/audience/members/u1").json() == {"member": None}
    (entry,) = [e for e in chimekit_emulator.journal() if e["method"] == "POST"]
    assert (entry["fault"], entry["status"]) == ("reset", None)


async def test_reset_seen_by_aiohttp(chimekit_emulator: EmulatorHandle) -> None:
    """An aiohttp client sees a reset of a POST as a connection error."""
    # A POST because aiohttp itself retries an idempotent method once after a reset.
    chimekit_emulator.add_fault(fault="reset", times=1)
    headers = {"Authorization": f"Bearer {chimekit_emulator.secret_key}"}
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientConnectionError):
            await session.post(
                f"{chimekit_emulator.base_url}/audience/identify",
                json=U1,
                headers=headers,
            )
    assert chimekit_emulator.outbox() == []


def test_hang_never_answers(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """hang: no byte arrives within the client's timeout; the handler does not run."""
    chimekit_emulator.add_fault(path="^/audience/identify$", fault="hang", times=1)
    request = http_request_bytes(api, "POST", "/audience/identify", U1)
    pieces, error = raw_exchange(api.host, api.port, request, timeout=0.5)
    assert pieces == []
    assert isinstance(error, TimeoutError)
    assert api.get("/audience/members/u1").json() == {"member": None}
    (entry,) = [e for e in chimekit_emulator.journal() if e["method"] == "POST"]
    assert (entry["fault"], entry["status"]) == ("hang", None)


def test_hang_does_not_block_stop() -> None:
    """stop() returns promptly with hung requests open, and the hung client sees EOF."""
    server = EmulatorServer(EmulatorConfig(faults=[FaultRule(fault="hang")])).start()
    api = Api(server.base_url, server.secret_key)
    sockets = []
    try:
        for _ in range(3):
            sock = socket.create_connection((api.host, api.port), timeout=5)
            sock.sendall(http_request_bytes(api, "GET", "/audience/members/u1"))
            sockets.append(sock)
        control = EmulatorControl(server.admin_url)
        wait_until(lambda: len(control.journal()) == 3)  # the server has taken them in
        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < 5
        for sock in sockets:
            assert sock.recv(1024) == b""
    finally:
        server.stop()
        for sock in sockets:
            sock.close()


def test_truncate_sends_part_of_the_body(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """truncate: full Content-Length announced, fewer bytes sent, connection closed; it ran."""
    api.identify("u1")
    chimekit_emulator.add_fault(path="^/messages/send$", fault="truncate", times=1)
    request = http_request_bytes(
        api, "POST", "/messages/send", {"externalUserId": "u1", "content": {"templateId": "t"}}
    )
    pieces, error = raw_exchange(api.host, api.port, request)
    assert error is None
    status, headers, body = split_http(b"".join(pieces))
    assert status == 200
    assert headers["x-request-id"].startswith("req_")
    assert 0 < len(body) < int(headers["content-length"])
    assert len(chimekit_emulator.outbox()) == 1


async def test_truncate_seen_by_aiohttp(chimekit_emulator: EmulatorHandle) -> None:
    """An aiohttp client reading a truncated body gets a payload error."""
    chimekit_emulator.add_fault(path=MEMBER_PATH, fault="truncate")
    headers = {"Authorization": f"Bearer {chimekit_emulator.secret_key}"}
    url = f"{chimekit_emulator.base_url}/audience/members/u1"
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as response:
        assert response.status == 200
        with pytest.raises(aiohttp.ClientPayloadError):
            await response.read()


def test_drip_sends_slowly_in_pieces(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """drip: the whole body arrives, but in chunk-sized pieces spread over time."""
    api.identify("u1")
    chimekit_emulator.add_fault(path=MEMBER_PATH, fault="drip", chunk=64, interval=0.05)
    request = http_request_bytes(api, "GET", "/audience/members/u1")
    started = time.monotonic()
    pieces, error = raw_exchange(api.host, api.port, request)
    elapsed = time.monotonic() - started
    assert error is None
    status, headers, body = split_http(b"".join(pieces))
    assert status == 200
    assert len(body) == int(headers["content-length"])
    assert json.loads(body)["member"]["id"] == "u1"
    chunks = -(-len(body) // 64)
    assert chunks >= 4
    assert len(pieces) >= 3  # separate arrivals, not one write (a stalled reader may merge some)
    assert elapsed >= (chunks - 1) * 0.05 * 0.8


def test_drip_defaults(chimekit_emulator: EmulatorHandle) -> None:
    """Without interval and chunk a drip uses 0.5 s and 8 bytes."""
    chimekit_emulator.add_fault(fault="drip", times=1)
    (rule,) = chimekit_emulator.faults()
    assert not {"interval", "chunk"} & set(rule)
    assert FaultRule(fault="drip").drip_interval == 0.5
    assert FaultRule(fault="drip").drip_chunk == 8


def test_drip_is_cut_short_when_the_client_leaves(
    api: Api, chimekit_emulator: EmulatorHandle
) -> None:
    """A slow drip stops once its client disconnects; the server keeps serving."""
    chimekit_emulator.add_fault(path=MEMBER_PATH, fault="drip", chunk=1, interval=0.2, times=1)
    with socket.create_connection((api.host, api.port), timeout=5) as sock:
        sock.sendall(http_request_bytes(api, "GET", "/audience/members/u1"))
        assert sock.recv(1024)
    assert api.get("/audience/members/u1").status == 200


def test_commit_then_drop(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """commit_then_drop: no response, yet committed; a same-key retry replays, not duplicates."""
    api.identify("u1")
    chimekit_emulator.add_fault(path="^/messages/send$", fault="commit_then_drop", times=1)
    body = {"externalUserId": "u1", "content": {"in_app": {"title": "once"}}}
    request = http_request_bytes(api, "POST", "/messages/send", body, {"Idempotency-Key": "k-9"})
    pieces, error = raw_exchange(api.host, api.port, request)
    assert (pieces, error) == ([], None)
    outbox = chimekit_emulator.outbox()
    assert len(outbox) == 1

    retry = api.post("/messages/send", body, headers={"Idempotency-Key": "k-9"})
    assert retry.status == 200
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json()["message"]["id"] == outbox[0]["messageId"]
    assert len(chimekit_emulator.outbox()) == 1
    entries = [e for e in chimekit_emulator.journal() if e["path"] == "/sdk/v1/messages/send"]
    assert [(e["fault"], e["status"]) for e in entries] == [("commit_then_drop", None), (None, 200)]


def test_faults_loaded_at_start() -> None:
    """EmulatorConfig.faults are active from the first request (what --faults loads)."""
    rules = [
        FaultRule(path=MEMBER_PATH, status=503, times=1),
        FaultRule.from_dict({"method": "POST", "path": "^/audience/identify$", "status": 500}),
    ]
    with EmulatorServer(EmulatorConfig(faults=rules)) as server:
        api = Api(server.base_url, server.secret_key)
        assert statuses(api, 2) == [503, 200]
        assert api.post("/audience/identify", {"externalUserId": "u"}).status == 500


def test_concurrent_requests_with_a_hang(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """A hung request does not hold up other requests."""
    chimekit_emulator.add_fault(path="^/audience/members/hung$", fault="hang")
    with socket.create_connection((api.host, api.port), timeout=5) as hung:
        hung.sendall(http_request_bytes(api, "GET", "/audience/members/hung"))
        wait_until(lambda: len(chimekit_emulator.journal()) == 1)
        assert api.get("/audience/members/other").status == 200
        hung.settimeout(0.2)
        with pytest.raises(TimeoutError):
            hung.recv(1024)  # still nothing for the hung request after the other one
