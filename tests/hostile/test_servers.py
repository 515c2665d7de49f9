"""The hostile servers themselves answer as scripted (so a failing SDK test is the SDK's)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable

from .servers import FunctionServer, Handler, Reply, Seen


def test_function_server_answers_and_records(
    function_server: Callable[[Handler], FunctionServer],
) -> None:
    """A handler's reply reaches the client and the request is recorded with its query."""

    def handler(seen: Seen) -> Reply:
        return Reply(201, {"echo": seen.query}, {"X-Request-Id": "req_1"})

    server = function_server(handler)
    with urllib.request.urlopen(server.base_url + "/x?limit=3", timeout=5) as resp:
        assert resp.status == 201
        assert resp.headers["X-Request-Id"] == "req_1"
        assert json.loads(resp.read()) == {"echo": {"limit": "3"}}
    assert [(r.method, r.path) for r in server.requests] == [("GET", "/sdk/v1/x")]
