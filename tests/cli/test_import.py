"""`chimekit audience import`: rows reach identify with their fields, keys and results reported."""

from __future__ import annotations

import hashlib
import json
import os
import pty
import subprocess
from pathlib import Path

from chimekit_emulator import EmulatorHandle

from .runner import COMMAND, api_requests, environment, read_jsonl, run_cli, write_jsonl


def key(path: Path, line: int, kind: str = "identify") -> str:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return f"chimekit-cli-{kind}-{digest[:32]}-{line}"


def test_jsonl_import_identifies_each_row_with_a_row_derived_key(
    chimekit_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    """Each row becomes one identify with exactly its fields and the key of its line; exit 0."""
    source = write_jsonl(
        tmp_path / "members.jsonl",
        [
            {"externalUserId": "u1", "displayName": "Ada", "attributes": {"plan": "pro"}},
            {"externalUserId": "u2", "identities": [{"type": "email", "value": "b@example.com"}]},
            {"externalUserId": "u3", "displayName": None},
        ],
    )
    result = run_cli("audience", "import", source, emulator=chimekit_emulator)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == "members.jsonl: 3 of 3 rows imported, 0 failed.\n"
    requests = api_requests(chimekit_emulator, "POST", "/audience/identify")
    assert sorted((r["headers"]["Idempotency-Key"], json.loads(r["body"])) for r in requests) == [
        (
            key(source, 1),
            {"externalUserId": "u1", "displayName": "Ada", "attributes": {"plan": "pro"}},
        ),
        (
            key(source, 2),
            {"externalUserId": "u2", "identities": [{"type": "email", "value": "b@example.com"}]},
        ),
        (key(source, 3), {"externalUserId": "u3", "displayName": None}),
    ]
    members = chimekit_emulator.members()
    assert sorted((m["externalUserId"], m["displayName"]) for m in members) == [
        ("u1", "Ada"),
        ("u2", None),
        ("u3", None),
    ]


def test_csv_import_reads_json_cells_and_leaves_empty_cells_out(
    chimekit_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    """CSV headers are the wire names; identities/attributes cells are JSON; an empty cell is not sent."""
    source = tmp_path / "members.csv"
    source.write_text(
        "\ufeffexternalUserId,displayName,identities,attributes\n"
        'u1,Ada,"[{""type"": ""email"", ""value"": ""ada@example.com""}]","{""plan"": ""pro""}"\n'
        "u2,,,\n"
    )
    result = run_cli("audience", "import", source, "--concurrency", "1", emulator=chimekit_emulator)
    assert result.returncode == 0, result.stderr
    requests = api_requests(chimekit_emulator, "POST", "/audience/identify")
    assert [(r["headers"]["Idempotency-Key"], json.loads(r["body"])) for r in requests] == [
        (
            key(source, 2),
            {
                "externalUserId": "u1",
                "displayName": "Ada",
                "identities": [{"type": "email", "value": "ada@example.com"}],
                "attributes": {"plan": "pro"},
            },
        ),
        (key(source, 3), {"externalUserId": "u2"}),
    ]


def test_errors_report_lists_invalid_and_failed_rows_exactly(
    chimekit_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    """--errors holds one object per failed row (line, key, externalUserId, error); the rest go through; exit 1."""
    source = write_jsonl(
        tmp_path / "members.jsonl",
        [
            {"externalUserId": "u1"},
            {"externalUserId": "u2", "attributes": "vip"},
            {"externalUserId": "u3"},
            {"externalUserId": "u4"},
        ],
    )
    chimekit_emulator.add_fault(
        method="POST",
        path="^/audience/identify$",
        status=422,
        body={"error": "attributes too large"},
        times=1,
    )
    report = tmp_path / "errors.jsonl"
    result = run_cli(
        "audience",
        "import",
        source,
        "--concurrency",
        "1",
        "--errors",
        report,
        emulator=chimekit_emulator,
    )
    assert result.returncode == 1
    assert result.stderr == f"members.jsonl: 2 of 4 rows imported, 2 failed (see {report}).\n"
    requests = api_requests(chimekit_emulator, "POST", "/audience/identify")
    assert [(json.loads(r["body"])["externalUserId"], r["status"]) for r in requests] == [
        ("u1", 422),
        ("u3", 200),
        ("u4", 200),
    ]
    assert read_jsonl(report) == [
        {
            "line": 1,
            "key": key(source, 1),
            "externalUserId": "u1",
            "error": {
                "type": "UnprocessableEntityError",
                "status": 422,
                "message": "attributes too large",
                "requestId": requests[0]["requestId"],
            },
        },
        {
            "line": 2,
            "key": key(source, 2),
            "externalUserId": "u2",
            "error": {
                "type": "InvalidRow",
                "message": "attributes: must be an object or null, not string",
                "fields": [
                    {"field": "attributes", "message": "must be an object or null, not string"}
                ],
            },
        },
    ]
    assert [m["externalUserId"] for m in chimekit_emulator.members()] == ["u3", "u4"]


def test_progress_bar_with_rate_and_eta_on_a_terminal(
    chimekit_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    """When stderr is a terminal, a rich progress bar shows the count (bad rows too), rows/s and the ETA."""
    source = write_jsonl(
        tmp_path / "members.jsonl",
        [*({"externalUserId": f"u{n}"} for n in range(50)), {"externalUserId": 51}],
    )
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen(
            [*COMMAND, "audience", "import", str(source)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=follower,
            env=environment(chimekit_emulator, {"TERM": "xterm-256color"}),
        )
        os.close(follower)
        follower = -1
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the process closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait(60) == 1
    finally:
        os.close(leader)
        if follower != -1:
            os.close(follower)
    screen = b"".join(chunks).decode()
    assert "51/51" in screen
    assert "rows/s" in screen
    assert "ETA" in screen
    assert "members.jsonl: 50 of 51 rows imported, 1 failed." in screen
    assert process.stdout is not None
    with process.stdout:
        assert process.stdout.read() == b""


def test_a_refused_key_stops_the_run_for_resume(
    chimekit_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    """A 401 stops the run at its row (every row would fail alike); --resume with a good key sends them all."""
    source = write_jsonl(
        tmp_path / "members.jsonl", [{"externalUserId": f"u{n}"} for n in range(20)]
    )
    refused = run_cli(
        "--secret-key", "sk_test_wrong", "audience", "import", source, "--concurrency", "1",
        emulator=chimekit_emulator,
    )  # fmt: skip
    assert refused.returncode == 1
    (request,) = chimekit_emulator.journal()
    assert request["status"] == 401
    assert refused.stderr == (
        "members.jsonl: 0 of 20 rows imported, 0 failed.\n"
        "Stopped before line 1: the API refused the credentials (401 AuthenticationError: "
        "invalid API key), so every row would fail. Fix the key and run the same command with "
        "--resume.\n"
    )
    resumed = run_cli("audience", "import", source, "--resume", emulator=chimekit_emulator)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stderr == "members.jsonl: 20 of 20 rows imported, 0 failed.\n"
    assert len(chimekit_emulator.members()) == 20
