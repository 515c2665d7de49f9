"""examples/tracing.py, the docs' tracing setup, run for real against the emulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from support import header

from chimekit_emulator import EmulatorHandle

ROOT = Path(__file__).resolve().parents[2]


def test_tracing_example_prints_the_calls_as_children_of_its_span(
    chimekit_emulator: EmulatorHandle,
) -> None:
    """Two chimekit spans under the app's span, printed by the console exporter; traceparent sent."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("CHIMEKIT_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    env["CHIMEKIT_BASE_URL"] = chimekit_emulator.base_url
    env["CHIMEKIT_SECRET_KEY"] = chimekit_emulator.secret_key
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "tracing.py")],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")
    # The console exporter prints each finished span as an indented JSON object.
    decoder = json.JSONDecoder()
    spans, text = [], result.stdout.strip()
    while text:
        span, end = decoder.raw_decode(text)
        spans.append(span)
        text = text[end:].strip()
    assert [span["name"] for span in spans] == [
        "chimekit.audience.identify",
        "chimekit.messages.send",
        "welcome-new-user",
    ]
    parent = spans[2]["context"]["span_id"]
    assert [span["parent_id"] for span in spans[:2]] == [parent, parent]
    assert [span["kind"] for span in spans[:2]] == ["SpanKind.CLIENT"] * 2
    journal = chimekit_emulator.journal()
    assert [(header(entry, "traceparent") or "").split("-")[2] for entry in journal] == [
        span["context"]["span_id"].removeprefix("0x") for span in spans[:2]
    ]
