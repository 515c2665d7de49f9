"""Per-call cost of the tracing hook, through a fake in-process transport (no network).

    python bench/tracing_overhead.py --baseline-src DIR [--calls 20000] [--rounds 5]

``DIR`` is the ``src`` of a build without any tracing code (e.g. ``git archive`` of an older
commit). Its packages are copied under other names (``base_core``, ``base_async``,
``base_sync``) so that both builds load in one interpreter, and the variants of a scenario
take turns in batches of 1,000 calls of ``ck.audience.get``: noise from the rest of the
machine then hits them alike, which separate processes cannot promise. Each round is a fresh
interpreter; the report is the median over rounds of the microseconds per call and of each
variant's difference from the first. Scenarios (sync and async):

- ``absent``: opentelemetry made unimportable (``sys.modules["opentelemetry"] = None``);
  variants ``baseline`` and ``chimekit``;
- ``api-only``: opentelemetry-api installed, no SDK configured (the API's no-op provider);
  variants ``baseline``, ``hook-off`` (the client with ``_tracing`` False, the path taken
  when the import failed) and ``chimekit``;
- ``sdk``: an SDK ``TracerProvider`` without processors (every span recorded, then
  dropped); variants ``hook-off`` and ``chimekit``: the cost of a recorded span.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {
    "chimekit_core": "base_core",
    "chimekit_async": "base_async",
    "chimekit_sync": "base_sync",
}

CHILD = r"""
import asyncio, importlib, sys, time
scenario, flavour, calls = sys.argv[1], sys.argv[2], int(sys.argv[3])
if scenario == "absent":
    sys.modules["opentelemetry"] = None
if scenario == "sdk":
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    trace.set_tracer_provider(TracerProvider())

BODY = (
    b'{"member": {"id": "user_1", "email": null, "displayName": null, "identities": [],'
    b' "attributes": {}, "created": "2025-01-01T00:00:00.000Z",'
    b' "updated": "2025-01-01T00:00:00.000Z", "deleted": null, "lastSeen": null}}'
)
URL = "https://api.chimekit.test/sdk/v1"


def client(prefix, hook=True):
    core = importlib.import_module(f"{prefix}_core._http")
    response = core.Response(200, {"x-request-id": "req_1"}, BODY)
    if flavour == "sync":
        class Fake:
            def send(self, request, timeout):
                return response
        ck = importlib.import_module(f"{prefix}_sync").ChimeKit("sk_test_bench", base_url=URL)
    else:
        class Fake:
            async def send(self, request, timeout):
                return response
        ck = importlib.import_module(f"{prefix}_async").AsyncChimeKit("sk_test_bench", base_url=URL)
    ck._shared.transport = Fake()
    if not hook:
        ck._tracing = False
    return ck


variants = {
    "absent": {"baseline": ("base", True), "chimekit": ("chimekit", True)},
    "api-only": {
        "baseline": ("base", True), "hook-off": ("chimekit", False), "chimekit": ("chimekit", True)
    },
    "sdk": {"hook-off": ("chimekit", False), "chimekit": ("chimekit", True)},
}[scenario]
gets = {name: client(*spec).audience.get for name, spec in variants.items()}
spent = dict.fromkeys(gets, 0.0)
BATCH = 1000


def run_sync():
    for get in gets.values():
        for _ in range(500):
            get("user_1")
    for _ in range(calls // BATCH):
        for name, get in gets.items():
            started = time.perf_counter()
            for _ in range(BATCH):
                get("user_1")
            spent[name] += time.perf_counter() - started


async def run_async():
    for get in gets.values():
        for _ in range(500):
            await get("user_1")
    for _ in range(calls // BATCH):
        for name, get in gets.items():
            started = time.perf_counter()
            for _ in range(BATCH):
                await get("user_1")
            spent[name] += time.perf_counter() - started


if flavour == "sync":
    run_sync()
else:
    asyncio.run(run_async())
imported = any(name.startswith("opentelemetry") and m for name, m in sys.modules.items())
done = calls // BATCH * BATCH
print(imported, *(f"{name}={seconds / done * 1e6}" for name, seconds in spent.items()))
"""


def _renamed_copy(src: Path, into: Path) -> None:
    """Copy the packages of ``src`` into ``into`` under the ``base_*`` names."""
    pattern = re.compile(r"\b(" + "|".join(PACKAGES) + r")\b")
    for old, new in PACKAGES.items():
        shutil.copytree(src / old, into / new)
        for path in (into / new).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            path.write_text(pattern.sub(lambda m: PACKAGES[m.group(1)], text), encoding="utf-8")


def _round(scenario: str, flavour: str, calls: int, path: str) -> tuple[bool, dict[str, float]]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, scenario, flavour, str(calls)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": path},
        check=True,
    )
    imported, *pairs = done.stdout.split()
    return imported == "True", {k: float(v) for k, v in (pair.split("=") for pair in pairs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-src", type=Path, required=True)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as base:
        _renamed_copy(args.baseline_src, Path(base))
        path = os.pathsep.join([str(ROOT / "src"), base])
        for flavour in ("sync", "async"):
            print(f"{flavour}: {args.calls} calls per variant x {args.rounds} rounds (median)")
            for scenario in ("absent", "api-only", "sdk"):
                rounds = [_round(scenario, flavour, args.calls, path) for _ in range(args.rounds)]
                imported = rounds[0][0]
                names = list(rounds[0][1])
                first = names[0]
                cells = []
                for name in names:
                    value = statistics.median(r[name] for _, r in rounds)
                    delta = statistics.median(r[name] - r[first] for _, r in rounds)
                    cells.append(f"{name} {value:7.2f} us ({delta:+.2f})")
                print(f"  {scenario:9} " + "  ".join(cells) + f"  [otel imported: {imported}]")


if __name__ == "__main__":
    main()
