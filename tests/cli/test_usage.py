"""Usage errors exit with status 2, say what is wrong, and send nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chimekit_emulator import EmulatorHandle

from .runner import run_cli, write_jsonl

ROWS = [{"externalUserId": "u1"}, {"externalUserId": "u2"}]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["audience", "import", "missing.jsonl"],
            "Error: Invalid value for 'FILE': File 'missing.jsonl' does not exist.",
        ),
        (
            ["audience", "import", "members.txt"],
            "Error: cannot tell the format of 'members.txt' from its suffix (known: .jsonl, "
            ".ndjson, .csv); pass --input-format jsonl or csv",
        ),
        (
            ["audience", "import", "members.jsonl", "--concurrency", "0"],
            "Error: Invalid value for '--concurrency': 0 is not in the range 1<=x<=256.",
        ),
        (
            ["audience", "import", "bad-header.csv"],
            "Error: bad-header.csv: unknown column 'email' in the header (expected "
            "externalUserId, displayName, identities, attributes)",
        ),
        (
            ["audience", "import", "members.jsonl", "--dry-run", "--resume"],
            "Error: --dry-run and --resume cannot be used together",
        ),
        (["messages", "send"], "Error: Missing option '--file'."),
        (
            ["messages", "send", "--file", "members.jsonl", "--input-format", "xml"],
            "Error: Invalid value for '--input-format': 'xml' is not one of 'jsonl', 'csv'.",
        ),
        (
            ["messages", "history", "u1", "--format", "xml"],
            "Error: Invalid value for '--format': 'xml' is not one of 'table', 'jsonl'.",
        ),
        (
            ["messages", "history", "u1", "--max-items", "0"],
            "Error: Invalid value for '--max-items': 0 is not in the range x>=1.",
        ),
        (
            ["workflows", "run", "welcome", "u1", "--context", "[1]"],
            "Error: Invalid value for '--context': must be a JSON object ({...})",
        ),
        (
            ["workflows", "run", "welcome", "u1", "--context", "{x"],
            "Error: Invalid value for '--context': not valid JSON: Expecting property name "
            "enclosed in double quotes (at character 1)",
        ),
        (["workflows", "run", "", "u1"], "Error: key must be a non-empty string"),
        (["runs", "get"], "Error: Missing argument 'RUN_ID'."),
        (["runs", "fetch", "wr_1"], "Error: No such command 'fetch'."),
    ],
)
def test_usage_error_exits_2_and_sends_nothing(
    chimekit_emulator: EmulatorHandle, tmp_path: Path, args: list[str], message: str
) -> None:
    """A bad command line, option value or input header exits 2 with click's message, sending nothing."""
    write_jsonl(tmp_path / "members.jsonl", ROWS)
    (tmp_path / "members.txt").write_text(json.dumps(ROWS[0]) + "\n")
    (tmp_path / "bad-header.csv").write_text("externalUserId,email\nu1,a@example.com\n")
    result = run_cli(*args, emulator=chimekit_emulator, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines()[-1] == message
    assert result.stdout == ""
    assert chimekit_emulator.journal() == []


def test_missing_credentials_is_a_usage_error(tmp_path: Path) -> None:
    """Without CHIMEKIT_SECRET_KEY or --secret-key, a command that calls the API exits 2."""
    write_jsonl(tmp_path / "members.jsonl", ROWS)
    result = run_cli("audience", "import", "members.jsonl", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: no API key: set the CHIMEKIT_SECRET_KEY environment variable or pass --secret-key"
    )


def test_plain_http_to_another_host_is_a_usage_error(tmp_path: Path) -> None:
    """The SDK's refusal to send a key over http:// off this machine is a usage error (2)."""
    result = run_cli(
        "--secret-key",
        "sk_test_x",
        "--base-url",
        "http://api.example.com/sdk/v1",
        "runs",
        "get",
        "wr_1",
    )
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: base_url 'http://api.example.com/sdk/v1' uses http:// to a host that is not "
        "this machine; the secret key would travel in clear text. Use https://, or http:// "
        "only for 127.0.0.1/localhost (the emulator)."
    )
    assert "sk_test_x" not in result.stderr


def test_resume_with_a_checkpoint_of_another_file_exits_2(
    chimekit_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    """--resume refuses a checkpoint written for different file content: it would skip rows."""
    source = write_jsonl(tmp_path / "members.jsonl", ROWS)
    first = run_cli("audience", "import", source, emulator=chimekit_emulator)
    assert first.returncode == 0, first.stderr
    write_jsonl(source, [*ROWS, {"externalUserId": "u3"}])
    chimekit_emulator.clear_journal()
    result = run_cli("audience", "import", source, "--resume", emulator=chimekit_emulator)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: the input file changed since the checkpoint {source}.checkpoint.json was "
        "written; resuming would skip or repeat rows (start again without --resume)"
    )
    assert chimekit_emulator.journal() == []


def test_a_file_that_is_not_utf8_is_a_usage_error(
    chimekit_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    """A file with a byte that is not UTF-8 (after valid rows) exits 2 before sending any row."""
    source = tmp_path / "members.jsonl"
    source.write_bytes(b'{"externalUserId": "u1"}\n{"externalUserId": "caf\xe9"}\n')
    result = run_cli("audience", "import", source, emulator=chimekit_emulator)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: members.jsonl is not UTF-8 text (invalid continuation byte)"
    )
    assert chimekit_emulator.journal() == []


def test_an_unwritable_checkpoint_is_a_usage_error_before_sending(
    chimekit_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    """A checkpoint that cannot be written stops the run before its first request; exit 2."""
    source = write_jsonl(tmp_path / "members.jsonl", ROWS)
    target = tmp_path / "missing-dir" / "cp.json"
    result = run_cli(
        "audience", "import", source, "--checkpoint", target, emulator=chimekit_emulator
    )
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: cannot write the checkpoint: [Errno 2] No such file or directory: "
        f"'{target.parent / '.cp.json.tmp'}' (choose another place with --checkpoint)"
    )
    assert chimekit_emulator.journal() == []
