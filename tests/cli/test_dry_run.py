"""--dry-run checks every row, reports each bad one by line and field, and sends nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

from chimekit_emulator import EmulatorHandle

from .runner import read_jsonl, run_cli

JSONL = """\
{"externalUserId": "u1", "displayName": "Ada", "identities": [{"type": "email", "value": "ada@example.com"}]}

{"externalUserId": "", "attributes": [1]}
not json
{"externalUserID": "u4", "identities": [{"type": "email"}, {"type": "email", "value": "x", "verified": "yes"}]}
["u5"]
{"externalUserId": "u6", "displayName": 6}
"""

CSV = """\
externalUserId,displayName,identities,attributes
u1,Ada,"[{""type"": ""email"", ""value"": ""ada@example.com""}]","{""plan"": ""pro""}"
u2,,{oops,
,Bob,,
"u4","Multi
line",,[]
u5,Eve
"""


def key(path: Path, line: int) -> str:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return f"chimekit-cli-identify-{digest[:32]}-{line}"


def test_dry_run_reports_each_bad_jsonl_row_by_line_and_field(
    chimekit_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    """Every problem of every bad row is printed as FILE:LINE: FIELD: WHY; exit 1; no request."""
    source = tmp_path / "members.jsonl"
    source.write_text(JSONL)
    report = tmp_path / "errors.jsonl"
    result = run_cli(
        "audience", "import", source, "--dry-run", "--errors", report, emulator=chimekit_emulator
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "members.jsonl:3: externalUserId: must not be empty",
        "members.jsonl:3: attributes: must be an object or null, not array",
        "members.jsonl:4: not valid JSON: Expecting value",
        "members.jsonl:5: externalUserID: unknown field (expected externalUserId, displayName, "
        "identities, attributes)",
        "members.jsonl:5: externalUserId: is required",
        "members.jsonl:5: identities[0].value: is required",
        "members.jsonl:5: identities[1].verified: must be a boolean, not string",
        "members.jsonl:6: must be a JSON object, not array",
        "members.jsonl:7: displayName: must be a string or null, not number",
        "Dry run: 6 rows checked, 5 invalid; nothing was sent.",
    ]
    assert read_jsonl(report) == [
        {
            "line": 3,
            "key": key(source, 3),
            "externalUserId": "",
            "error": {
                "type": "InvalidRow",
                "message": "externalUserId: must not be empty; attributes: must be an object "
                "or null, not array",
                "fields": [
                    {"field": "externalUserId", "message": "must not be empty"},
                    {"field": "attributes", "message": "must be an object or null, not array"},
                ],
            },
        },
        {
            "line": 4,
            "key": key(source, 4),
            "externalUserId": None,
            "error": {
                "type": "InvalidRow",
                "message": "not valid JSON: Expecting value",
                "fields": [{"field": None, "message": "not valid JSON: Expecting value"}],
            },
        },
        {
            "line": 5,
            "key": key(source, 5),
            "externalUserId": None,
            "error": {
                "type": "InvalidRow",
                "message": "externalUserID: unknown field (expected externalUserId, "
                "displayName, identities, attributes); externalUserId: is required; "
                "identities[0].value: is required; identities[1].verified: must be a boolean, "
                "not string",
                "fields": [
                    {
                        "field": "externalUserID",
                        "message": "unknown field (expected externalUserId, displayName, "
                        "identities, attributes)",
                    },
                    {"field": "externalUserId", "message": "is required"},
                    {"field": "identities[0].value", "message": "is required"},
                    {"field": "identities[1].verified", "message": "must be a boolean, not string"},
                ],
            },
        },
        {
            "line": 6,
            "key": key(source, 6),
            "externalUserId": None,
            "error": {
                "type": "InvalidRow",
                "message": "must be a JSON object, not array",
                "fields": [{"field": None, "message": "must be a JSON object, not array"}],
            },
        },
        {
            "line": 7,
            "key": key(source, 7),
            "externalUserId": "u6",
            "error": {
                "type": "InvalidRow",
                "message": "displayName: must be a string or null, not number",
                "fields": [
                    {"field": "displayName", "message": "must be a string or null, not number"}
                ],
            },
        },
    ]
    assert chimekit_emulator.journal() == []
    assert not (tmp_path / "members.jsonl.checkpoint.json").exists()


def test_dry_run_reports_csv_rows_by_their_first_line(
    chimekit_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    """CSV lines count from the header (line 1); a quoted multi-line record is reported at its start."""
    source = tmp_path / "members.csv"
    source.write_text(CSV)
    result = run_cli("audience", "import", source, "--dry-run", emulator=chimekit_emulator)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "members.csv:3: identities: not valid JSON: Expecting property name enclosed in double "
        "quotes",
        "members.csv:4: externalUserId: is required",
        "members.csv:5: attributes: must be an object or null, not array",
        "members.csv:7: has 2 cells, the header has 4",
        "Dry run: 5 rows checked, 4 invalid; nothing was sent.",
    ]
    assert chimekit_emulator.journal() == []


def test_dry_run_of_a_valid_file_exits_0_without_credentials(tmp_path: Path) -> None:
    """A dry run needs no API key, and a file without bad rows exits 0."""
    source = tmp_path / "messages.jsonl"
    source.write_text(
        '{"externalUserId": "u1", "content": {"templateId": "tpl_welcome"}}\n'
        '{"externalUserId": "u2", "content": {"in_app": {"title": "Hi"}}, "categoryId": "news"}\n'
    )
    result = run_cli("messages", "send", "--file", source, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert result.stderr == "Dry run: 2 rows checked, 0 invalid; nothing was sent.\n"


def test_dry_run_checks_message_content(chimekit_emulator: EmulatorHandle, tmp_path: Path) -> None:
    """Send rows: content is required and is a template or channels, never both."""
    source = tmp_path / "messages.jsonl"
    source.write_text(
        '{"externalUserId": "u1"}\n'
        '{"externalUserId": "u1", "content": "hello"}\n'
        '{"externalUserId": "u1", "content": {"templateId": "t", "email": {"subject": "s"}}}\n'
        '{"externalUserId": "u1", "content": {"variables": {"a": 1}}}\n'
        '{"externalUserId": "u1", "content": {"templateId": ""}, "categoryId": 7}\n'
    )
    result = run_cli("messages", "send", "--file", source, "--dry-run", emulator=chimekit_emulator)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "messages.jsonl:1: content: is required",
        "messages.jsonl:2: content: must be an object, not string",
        "messages.jsonl:3: content: must have either templateId or email, not both",
        "messages.jsonl:4: content: must have a templateId or a channel (in_app, email)",
        "messages.jsonl:5: content.templateId: must not be empty",
        "messages.jsonl:5: categoryId: must be a string or null, not number",
        "Dry run: 5 rows checked, 5 invalid; nothing was sent.",
    ]
    assert chimekit_emulator.journal() == []
