"""Per-call cost of the tracing hook, through a fake in-process transport (no network).

    python bench/tracing_overhead.py [--calls 20000] [--rounds 5] [--baseline-src DIR]

Times ``ck.audience.get`` (sync and async) ``--calls`` times per round, in a fresh
interpreter per mode and round, rounds interleaved so machine noise hits every mode alike,
and prints the median microseconds per call. Modes:

- ``baseline``: the tree at ``--baseline-src`` (a build without any tracing code), if given;
- ``absent``: opentelemetry made unimportable (``sys.modules["opentelemetry"] = None``);
- ``api-only``: opentelemetry-api installed, no SDK configured (the API's no-op provider);
- ``sdk``: an SDK ``TracerProvider`` without exporters (every span recorded, then dropped).

``api-only`` and ``sdk`` also run, in the same process and in alternating batches of 1,000
calls, the client with its tracing hook switched off (``ck._tracing = False``, the very path
taken when the import failed): the ``hook`` column is the difference, free of the noise
between processes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import asyncio, sys, time
mode, flavour, calls = sys.argv[1], sys.argv[2], int(sys.argv[3])
if mode in ("absent", "baseline"):
    sys.modules["opentelemetry"] = None
if mode == "sdk":
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    trace.set_tracer_provider(TracerProvider())
from chimekit_core._http import Response

BODY = (
    b'{"member": {"id": "user_1", "email": null, "displayName": null, "identities": [],'
    b' "attributes": {}, "created": "2025-01-01T00:00:00.000Z",'
    b' "updated": "2025-01-01T00:00:00.000Z", "deleted": null, "lastSeen": null}}'
)
RESPONSE = Response(200, {"x-request-id": "req_1", "content-type": "application/json"}, BODY)


class SyncFake:
    def send(self, request, timeout):
        return RESPONSE

    def close(self):
        pass


class AsyncFake:
    async def send(self, request, timeout):
        return RESPONSE

    async def close(self):
        pass


BATCH = 1000
toggle = mode in ("api-only", "sdk")
timings = {True: [], False: []}  # per-call microseconds of each batch, hook on / off
if flavour == "sync":
    from chimekit_sync import ChimeKit
    ck = ChimeKit("sk_test_bench", base_url="https://api.chimekit.test/sdk/v1")
    ck._shared.transport = SyncFake()
    get = ck.audience.get
    for _ in range(500):
        get("user_1")
    for batch in range(calls // BATCH * (2 if toggle else 1)):
        hook = not (toggle and batch % 2)
        if toggle:
            ck._tracing = hook
        started = time.perf_counter()
        for _ in range(BATCH):
            get("user_1")
        timings[hook].append((time.perf_counter() - started) / BATCH * 1e6)
else:
    from chimekit_async import AsyncChimeKit
    ck = AsyncChimeKit("sk_test_bench", base_url="https://api.chimekit.test/sdk/v1")
    ck._shared.transport = AsyncFake()
    get = ck.audience.get

    async def main():
        for _ in range(500):
            await get("user_1")
        for batch in range(calls // BATCH * (2 if toggle else 1)):
            hook = not (toggle and batch % 2)
            if toggle:
                ck._tracing = hook
            started = time.perf_counter()
            for _ in range(BATCH):
                await get("user_1")
            timings[hook].append((time.perf_counter() - started) / BATCH * 1e6)

    asyncio.run(main())
loaded = any(name.startswith("opentelemetry") and m is not None for name, m in sys.modules.items())
on = sum(timings[True]) / len(timings[True])
off = sum(timings[False]) / len(timings[False]) if timings[False] else on
print(on, on - off, loaded)
"""


def _run(mode: str, flavour: str, calls: int, src: Path) -> tuple[float, float, bool]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, mode, flavour, str(calls)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    micros, hook, loaded = done.stdout.split()
    return float(micros), float(hook), loaded == "True"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--baseline-src", type=Path)
    args = parser.parse_args()
    modes = [("absent", ROOT / "src"), ("api-only", ROOT / "src"), ("sdk", ROOT / "src")]
    if args.baseline_src is not None:
        modes.insert(0, ("baseline", args.baseline_src))
    for flavour in ("sync", "async"):
        samples: dict[str, list[float]] = {mode: [] for mode, _ in modes}
        hooks: dict[str, list[float]] = {mode: [] for mode, _ in modes}
        imported: dict[str, bool] = {}
        for _ in range(args.rounds):
            for mode, src in modes:
                micros, hook, loaded = _run(mode, flavour, args.calls, src)
                samples[mode].append(micros)
                hooks[mode].append(hook)
                imported[mode] = loaded
        first = statistics.median(samples[modes[0][0]])
        print(f"{flavour}: {args.calls} calls x {args.rounds} rounds, median us/call")
        for mode, _ in modes:
            value = statistics.median(samples[mode])
            hook = statistics.median(hooks[mode])
            print(
                f"  {mode:9} {value:8.2f} us  {value - first:+7.2f} us "
                f"({(value / first - 1) * 100:+6.1f} %)  hook {hook:+7.2f} us  "
                f"opentelemetry imported: {imported[mode]}"
            )


if __name__ == "__main__":
    main()
