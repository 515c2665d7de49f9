"""The command against an independent server that fails in legal ways (not our emulator)."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any

import bodies
from hostile.servers import Reply, Seen, serve

from .runner import read_jsonl, run_cli, write_jsonl


def member(external_id: str) -> dict[str, Any]:
    return {"member": {**bodies.MEMBER, "id": external_id}}


def test_failures_of_another_server_are_reported_per_row(tmp_path: Path) -> None:
    """A 2xx that is not JSON and a lasting 500 fail their rows only; a 503 is retried with the row's key."""
    flaky_seen = threading.Event()

    def handler(seen: Seen) -> Reply:
        user = seen.json()["externalUserId"]
        if user == "garbled":
            return Reply(200, b"<html>oops</html>", {"Content-Type": "text/html"})
        if user == "broken":
            return Reply(500, {"error": "database on fire"}, {"X-Request-Id": "req_broken"})
        if user == "flaky" and not flaky_seen.is_set():
            flaky_seen.set()
            return Reply(503, {"error": "busy"})
        return Reply(200, member(user))

    source = write_jsonl(
        tmp_path / "members.jsonl",
        [{"externalUserId": name} for name in ("ok", "garbled", "broken", "flaky")],
    )
    report = tmp_path / "errors.jsonl"
    with serve(handler) as server:
        result = run_cli(
            "--secret-key", "sk_test_hostile", "--base-url", server.base_url,
            "--max-retries", "1", "audience", "import", source, "--errors", report,
        )  # fmt: skip
        requests = list(server.requests)
    assert result.returncode == 1, result.stderr
    assert result.stderr == f"members.jsonl: 2 of 4 rows imported, 2 failed (see {report}).\n"
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:32]

    def key(line: int) -> str:
        return f"chimekit-cli-identify-{digest}-{line}"

    report_rows = read_jsonl(report)
    assert [
        (r["line"], r["key"], r["externalUserId"], r["error"]["type"]) for r in report_rows
    ] == [
        (2, key(2), "garbled", "APIResponseValidationError"),
        (3, key(3), "broken", "InternalServerError"),
    ]
    assert set(report_rows[0]["error"]) == {"type", "message"}
    assert report_rows[1]["error"] == {
        "type": "InternalServerError",
        "status": 500,
        "message": "database on fire",
        "requestId": "req_broken",
    }
    keys_by_user: dict[str, list[str]] = {}
    for seen in requests:
        keys_by_user.setdefault(seen.json()["externalUserId"], []).append(
            seen.headers["idempotency-key"]
        )
    assert keys_by_user == {
        "ok": [key(1)],
        "garbled": [key(2)],
        "broken": [key(3), key(3)],
        "flaky": [key(4), key(4)],
    }
