"""The JSON fast path of ``parse_response`` decodes exactly as ``json.loads`` does."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chimekit_core._responses import _loads

BODIES = [
    b"{}",
    b'{"a": 1}',
    b'{"a": 1} \n',  # trailing whitespace: allowed
    b'{"a": 1} x',  # trailing data: "Extra data" at the same position
    b'{"a": 1}{}',
    b'{"a":"\xed\xa0\x80"}',  # an encoded lone surrogate: json.loads' surrogatepass
    b'{"a":\xff}',  # not UTF-8
    b"{",
    b'{"a": NaN}',
    '{"a":1}'.encode("utf-16-le"),  # starts with "{" but is UTF-16: json.loads' detection
    b'\xef\xbb\xbf{"a":1}',  # UTF-8 BOM
    b'[{"a": 1}]',
]


def _outcome(decode: Any, body: bytes) -> tuple[str, Any]:
    try:
        return "ok", decode(body)
    except Exception as exc:  # the exact type and message are compared
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize("body", BODIES)
def test_fast_path_decodes_like_json_loads(body: bytes) -> None:
    """Every body gives json.loads' value, or its exception type and message."""
    assert repr(_outcome(_loads, body)) == repr(_outcome(json.loads, body))
