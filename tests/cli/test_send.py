"""`chimekit messages send --file`: one send per row, deduplicated across runs, failures reported."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from chimekit_emulator import EmulatorHandle

from .runner import api_requests, read_jsonl, run_cli, write_jsonl


def key(path: Path, line: int) -> str:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return f"chimekit-cli-send-{digest[:32]}-{line}"


def test_send_reports_a_failed_row_with_its_api_error(
    chimekit_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    """A send to an unknown member fails alone: its 404 is in the report, the others are sent; exit 1."""
    identify = run_cli(
        "audience",
        "import",
        write_jsonl(tmp_path / "m.jsonl", [{"externalUserId": "u1"}]),
        emulator=chimekit_emulator,
    )
    assert identify.returncode == 0, identify.stderr
    source = tmp_path / "messages.csv"
    source.write_text(
        "externalUserId,content,categoryId\n"
        'u1,"{""templateId"": ""tpl_welcome"", ""variables"": {""n"": 1}}",news\n'
        'ghost,"{""in_app"": {""title"": ""Hi""}}",\n'
        'u1,"{""in_app"": {""title"": ""Hi""}}",\n'
    )
    report = tmp_path / "errors.jsonl"
    result = run_cli(
        "messages", "send", "--file", source, "--errors", report, emulator=chimekit_emulator
    )
    assert result.returncode == 1
    assert result.stderr == f"messages.csv: 2 of 3 rows sent, 1 failed (see {report}).\n"
    requests = {
        json.loads(r["body"])["externalUserId"]: r
        for r in api_requests(chimekit_emulator, "POST", "/messages/send")
        if r["status"] == 404
    }
    assert read_jsonl(report) == [
        {
            "line": 3,
            "key": key(source, 3),
            "externalUserId": "ghost",
            "error": {
                "type": "NotFoundError",
                "status": 404,
                "message": 'member "ghost" not found',
                "requestId": requests["ghost"]["requestId"],
            },
        }
    ]
    outbox = chimekit_emulator.outbox()
    assert sorted(
        (m["idempotencyKey"], m["categoryId"], json.dumps(m["content"])) for m in outbox
    ) == sorted(
        [
            (
                key(source, 2),
                "news",
                json.dumps({"templateId": "tpl_welcome", "variables": {"n": 1}}),
            ),
            (key(source, 4), "cat_default", json.dumps({"in_app": {"title": "Hi"}})),
        ]
    )


def test_sending_the_same_file_again_sends_nothing_twice(
    chimekit_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    """A second run of the same file reuses each row's key, so the API replays instead of acting."""
    source = write_jsonl(
        tmp_path / "messages.jsonl",
        [{"externalUserId": "u1", "content": {"in_app": {"title": f"n{n}"}}} for n in range(3)],
    )
    identify = run_cli(
        "--secret-key",
        chimekit_emulator.secret_key,
        "--base-url",
        chimekit_emulator.base_url,
        "audience",
        "import",
        write_jsonl(tmp_path / "m.jsonl", [{"externalUserId": "u1"}]),
    )
    assert identify.returncode == 0, identify.stderr
    for _ in range(2):
        result = run_cli("messages", "send", "--file", source, emulator=chimekit_emulator)
        assert result.returncode == 0, result.stderr
        assert result.stderr == "messages.jsonl: 3 of 3 rows sent, 0 failed.\n"
    assert sorted(m["content"]["in_app"]["title"] for m in chimekit_emulator.outbox()) == [
        "n0",
        "n1",
        "n2",
    ]
    assert len(api_requests(chimekit_emulator, "POST", "/messages/send")) == 6
