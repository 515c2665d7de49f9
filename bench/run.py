"""The chimekit benchmark suite: the SDK against hand-written code, in one run.

    python bench/run.py [--quick] [--only NAME ...] [--processes N] [--allow-fail]

(``nox -s bench`` runs exactly this.) Every benchmark talks HTTP to a canned-response
server in a separate process (``bench/_server.py``, pinned to another CPU when there is
one), so the server is not the bottleneck and both sides of each comparison pay the
same network cost. The SDK and its baseline take turns so that noise from the rest of
the machine hits both alike: request by request at concurrency 1, in short alternating
batches otherwise. Every SDK-vs-baseline pair alternates its order round by round: the
SDK goes first in odd rounds, the baseline in even ones. The comparisons over HTTP run in
``--processes`` fresh processes (3), one after another, because a whole process can land
a few percent above or below the next one while its own rounds agree closely. A reported
value is the median over every round of every process, and a ratio is the median of the
per-round ratios; next to it the table prints their spread (interquartile range, min-max,
and each process's own median) and PASS/FAIL per target. Every sample and every
per-round ratio lands in ``bench/results/latest.json``. The exit status is 1 when a
target fails (unless ``--allow-fail``). See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "latest.json"
SECRET = "sk_bench_0123456789"
USER = "user_123"
HISTORY = 10_000  # messages in the paging benchmarks' history: 100 pages of 100
MEMORY_HISTORY = 100_000
SLOW_PAGE_MS = 20.0
PREFETCH = 4
SERVER_CPUS: set[int] = set()  # set by pin_cpus()
ALL_CPUS: set[int] = set()  # the CPUs this process had before pin_cpus()


def pin_cpus() -> str:
    """Keep this process (the clients) and the server on different CPUs, when there are two.

    The same for every contender; it only stops the scheduler from putting the client
    and the server on one CPU for some rounds and not for others.
    """
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity)"
    cpus = sorted(os.sched_getaffinity(0))
    ALL_CPUS.update(cpus)
    if len(cpus) < 2:
        return "not pinned (one CPU)"
    os.sched_setaffinity(0, {cpus[0]})
    SERVER_CPUS.update(cpus[1:])
    return f"client on CPU {cpus[0]}, server on CPU(s) {','.join(map(str, cpus[1:]))}"


# --- the server ------------------------------------------------------------------------


class Server:
    """``bench/_server.py`` in its own process."""

    def __init__(self, *, total: int, page_delay_ms: float = 0.0) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(HERE / "_server.py"),
                "--port",
                "0",
                "--total",
                str(total),
                "--page-delay-ms",
                str(page_delay_ms),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        if SERVER_CPUS:
            os.sched_setaffinity(self.process.pid, SERVER_CPUS)
        line = self.process.stdout.readline()
        if not line.startswith("PORT "):
            self.process.kill()
            raise RuntimeError(f"benchmark server did not start: {line!r}")
        self.port = int(line.split()[1])
        self.base_url = f"http://127.0.0.1:{self.port}/sdk/v1"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@contextlib.contextmanager
def server(*, total: int, page_delay_ms: float = 0.0) -> Iterator[Server]:
    running = Server(total=total, page_delay_ms=page_delay_ms)
    try:
        yield running
    finally:
        running.stop()


# --- measurement -----------------------------------------------------------------------


@dataclass
class Result:
    """One row of the table."""

    id: str
    name: str
    unit: str
    sdk: float
    baseline: float | None
    baseline_name: str | None
    ratio: float | None = None
    target: str | None = None
    passed: bool | None = None
    samples: dict[str, list[float]] = field(default_factory=dict)
    note: str = ""
    ratios: list[float] = field(default_factory=list)  # per round: the spread of ``ratio``
    spread: dict[str, float] = field(default_factory=dict)  # q1, q3, min, max of ``ratios``
    per_process: list[float] = field(default_factory=list)  # each process's own median ratio

    def set_ratios(self, ratios: list[float]) -> None:
        """The per-round ratios: ``ratio`` is their median, ``spread`` their quartiles."""
        self.ratios = ratios
        self.ratio = median(ratios)
        self.spread = spread(ratios)


def median(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float]) -> dict[str, float]:
    """The interquartile range and the extremes of the per-round ratios."""
    if len(values) < 2:
        return {"q1": values[0], "q3": values[0], "min": values[0], "max": values[0]}
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return {"q1": q1, "q3": q3, "min": min(values), "max": max(values)}


def sdk_first(round_number: int) -> bool:
    """Whether the SDK goes first in this round (1-based): odd rounds SDK, even baseline."""
    return round_number % 2 == 1


def compare(
    *,
    id: str,
    name: str,
    unit: str,
    samples: dict[str, list[float]],
    sdk_key: str,
    baseline_key: str,
    baseline_name: str,
    target: str | None = None,
    note: str = "",
) -> Result:
    """A row comparing two contenders measured in the same rounds."""
    result = Result(
        id=id,
        name=name,
        unit=unit,
        sdk=median(samples[sdk_key]),
        baseline=median(samples[baseline_key]),
        baseline_name=baseline_name,
        target=target,
        samples={"sdk": samples[sdk_key], baseline_key: samples[baseline_key]},
        note=note,
    )
    result.set_ratios(round_ratios(samples, sdk_key, baseline_key))
    return result


def headers(flavour: str) -> dict[str, str]:
    """What the SDK sends on a GET, for the hand-written clients to send too."""
    from chimekit_core._config import user_agent

    return {
        "Authorization": f"Bearer {SECRET}",
        "Accept": "application/json",
        "User-Agent": user_agent(flavour),
    }


def log(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def round_ratios(samples: dict[str, list[float]], sdk: str, baseline: str) -> list[float]:
    """SDK / baseline for each round, each pair measured back to back."""
    return [a / b for a, b in zip(samples[sdk], samples[baseline], strict=True)]


async def _interleaved(
    calls: dict[str, Callable[[], Awaitable[Any]]], per_round: int, rounds: int
) -> dict[str, list[float]]:
    """Throughput at concurrency 1, the contenders taking turns request by request.

    Each round, every contender makes ``per_round`` requests, interleaved one by one (in
    alternating order) with the others', so a burst of load from elsewhere on the machine
    slows all of them alike; a round's throughput is its requests over the time they took.
    The first contender (the SDK) leads odd rounds, the last one even rounds.
    """
    samples: dict[str, list[float]] = {name: [] for name in calls}
    clock = time.perf_counter
    for number in range(1, rounds + 1):
        spent = dict.fromkeys(calls, 0.0)
        order = list(calls.items())
        if not sdk_first(number):
            order.reverse()
        for _ in range(per_round):
            for name, call in order:
                started = clock()
                await call()
                spent[name] += clock() - started
            order.reverse()
        for name in calls:
            samples[name].append(per_round / spent[name])
    return samples


async def _throughput(call: Callable[[], Awaitable[Any]], requests: int, concurrency: int) -> float:
    per_worker = requests // concurrency

    async def worker() -> None:
        for _ in range(per_worker):
            await call()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return per_worker * concurrency / (time.perf_counter() - started)


async def _alternate(
    contenders: dict[str, Callable[[], Awaitable[float]]], rounds: int
) -> dict[str, list[float]]:
    """Run each contender once per round, back to back, in alternating order.

    The first contender (the SDK) leads odd rounds and the order is reversed in even
    ones. A full garbage collection (untimed) before each run keeps one contender's
    garbage from being collected on the next one's time.
    """
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    order = list(contenders)
    for number in range(1, rounds + 1):
        for name in order if sdk_first(number) else reversed(order):
            gc.collect()
            samples[name].append(await contenders[name]())
    return samples


# --- 1: async get ----------------------------------------------------------------------


async def bench_async_get(base_url: str, rounds: int, scale: float) -> list[Result]:
    import aiohttp
    import httpx

    from chimekit_async import AsyncChimeKit

    sdk_headers = headers("async")
    url = f"{base_url}/audience/members/{USER}"
    async with (
        AsyncChimeKit(SECRET, base_url=base_url) as ck,
        aiohttp.ClientSession() as session,
        # Generous to httpx: room to keep all 50 connections alive (its default keeps 20).
        httpx.AsyncClient(
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=100)
        ) as client,
    ):

        async def sdk_call() -> Any:
            member = await ck.audience.get(USER)
            assert member is not None
            return member.id

        async def aiohttp_call() -> Any:
            async with session.get(url, headers=sdk_headers) as resp:
                if resp.status != 200:
                    raise RuntimeError(f"HTTP {resp.status}")
                data = await resp.json()
            return data["member"]["id"]

        async def httpx_call() -> Any:
            resp = await client.get(url, headers=sdk_headers)
            resp.raise_for_status()
            return resp.json()["member"]["id"]

        for call in (sdk_call, aiohttp_call, httpx_call):  # connections, hooks, caches
            await _throughput(call, 500, 50)

        log("  async get, concurrency 1")
        one = await _interleaved(
            {"sdk": sdk_call, "aiohttp": aiohttp_call}, int(200 * scale), rounds
        )
        log("  async get, concurrency 50")
        batch = int(500 * scale)
        fifty = await _alternate(
            {
                "sdk": lambda: _throughput(sdk_call, batch, 50),
                "aiohttp": lambda: _throughput(aiohttp_call, batch, 50),
            },
            rounds,
        )
        # Its own rounds, so that httpx's clean-up never lands in the aiohttp comparison.
        # Warmed up again first: its pooled connections expire after 5 s idle, and it is
        # slow for a while after reconnecting. It is much slower, so fewer requests.
        log("  async get, concurrency 50, httpx")
        await _throughput(httpx_call, 500, 50)
        versus_httpx = await _alternate(
            {
                "sdk": lambda: _throughput(sdk_call, batch, 50),
                "httpx": lambda: _throughput(httpx_call, max(batch // 2, 50), 50),
            },
            max(3, rounds // 4),
        )
    return [
        compare(
            id="async_get_c1",
            name="async audience.get, concurrency 1",
            unit="req/s",
            samples=one,
            sdk_key="sdk",
            baseline_key="aiohttp",
            baseline_name="raw aiohttp",
            target=">= 0.90x",
            note="requests interleaved one by one with the baseline's",
        ),
        compare(
            id="async_get_c50",
            name="async audience.get, concurrency 50",
            unit="req/s",
            samples=fifty,
            sdk_key="sdk",
            baseline_key="aiohttp",
            baseline_name="raw aiohttp",
            target=">= 0.95x",
        ),
        compare(
            id="async_get_c50_vs_httpx",
            name="async audience.get, concurrency 50",
            unit="req/s",
            samples=versus_httpx,
            sdk_key="sdk",
            baseline_key="httpx",
            baseline_name="raw httpx",
            target=">= 5.00x",
        ),
    ]


# --- 2: sync get -----------------------------------------------------------------------


def _interleaved_sync(
    calls: dict[str, Callable[[], Any]], per_round: int, rounds: int
) -> dict[str, list[float]]:
    """The sync twin of :func:`_interleaved`."""
    samples: dict[str, list[float]] = {name: [] for name in calls}
    clock = time.perf_counter
    for number in range(1, rounds + 1):
        spent = dict.fromkeys(calls, 0.0)
        order = list(calls.items())
        if not sdk_first(number):
            order.reverse()
        for _ in range(per_round):
            for name, call in order:
                started = clock()
                call()
                spent[name] += clock() - started
            order.reverse()
        for name in calls:
            samples[name].append(per_round / spent[name])
    return samples


def _threaded(
    call: Callable[[], Any], requests: int, threads: int, pool: ThreadPoolExecutor
) -> float:
    per_thread = requests // threads

    def worker() -> None:
        for _ in range(per_thread):
            call()

    started = time.perf_counter()
    for future in [pool.submit(worker) for _ in range(threads)]:
        future.result()
    return per_thread * threads / (time.perf_counter() - started)


def bench_sync_get(base_url: str, rounds: int, scale: float) -> list[Result]:
    import urllib3

    from chimekit_sync import ChimeKit

    sdk_headers = headers("sync")
    url = f"{base_url}/audience/members/{USER}"
    with ChimeKit(SECRET, base_url=base_url) as ck, ThreadPoolExecutor(4) as threads:
        # One connection per thread, as hand-written code for 4 threads would configure it.
        pool = urllib3.PoolManager(maxsize=4)

        def sdk_call() -> Any:
            member = ck.audience.get(USER)
            assert member is not None
            return member.id

        def urllib3_call() -> Any:
            resp = pool.request("GET", url, headers=sdk_headers)
            if resp.status != 200:
                raise RuntimeError(f"HTTP {resp.status}")
            return json.loads(resp.data)["member"]["id"]

        for call in (sdk_call, urllib3_call):
            _threaded(call, 400, 4, threads)

        log("  sync get, sequential")
        one = _interleaved_sync(
            {"sdk": sdk_call, "urllib3": urllib3_call}, int(200 * scale), rounds
        )
        log("  sync get, 4 threads")
        batch = int(400 * scale)
        four: dict[str, list[float]] = {"sdk": [], "urllib3": []}
        for number in range(1, rounds + 1):
            pair = [("sdk", sdk_call), ("urllib3", urllib3_call)]
            for name, call in pair if sdk_first(number) else reversed(pair):
                gc.collect()
                four[name].append(_threaded(call, batch, 4, threads))
        pool.clear()
    return [
        compare(
            id="sync_get_t1",
            name="sync audience.get, sequential",
            unit="req/s",
            samples=one,
            sdk_key="sdk",
            baseline_key="urllib3",
            baseline_name="raw urllib3",
            target=">= 0.90x",
            note="requests interleaved one by one with the baseline's",
        ),
        compare(
            id="sync_get_t4",
            name="sync audience.get, 4 threads",
            unit="req/s",
            samples=four,
            sdk_key="sdk",
            baseline_key="urllib3",
            baseline_name="raw urllib3",
            target=">= 0.90x",
        ),
    ]


# --- 3: paging and parsing -------------------------------------------------------------


async def bench_paging(base_url: str, rounds: int, scale: float) -> list[Result]:
    import _reference
    import aiohttp

    from chimekit_async import AsyncChimeKit

    sdk_headers = headers("async")
    url = f"{base_url}/messages/members/{USER}/messages"
    sweeps = max(1, int(3 * scale))  # each sample reads the 100-page history this many times

    async with AsyncChimeKit(SECRET, base_url=base_url) as ck, aiohttp.ClientSession() as session:

        async def sdk_pages(prefetch: int | None) -> float:
            pages = items = 0
            started = time.perf_counter()
            for _ in range(sweeps):
                paginator = ck.messages.list_for_member(USER, limit=100)
                if prefetch is not None:
                    paginator = paginator.with_prefetch(prefetch)
                async for page in paginator.pages():
                    pages += 1
                    items += len(page.items)
            assert items == HISTORY * sweeps, items
            return pages / (time.perf_counter() - started)

        async def raw_pages(parse: Callable[[bytes], tuple[int, int]]) -> float:
            pages = items = 0
            started = time.perf_counter()
            for _ in range(sweeps):
                offset = 0
                while True:
                    params = {"limit": 100, "offset": offset}
                    async with session.get(url, params=params, headers=sdk_headers) as resp:
                        if resp.status != 200:
                            raise RuntimeError(f"HTTP {resp.status}")
                        body = await resp.read()
                    count, total = parse(body)
                    pages += 1
                    items += count
                    offset += count
                    if not count or offset >= total:
                        break
            assert items == HISTORY * sweeps, items
            return pages / (time.perf_counter() - started)

        def parse_json(body: bytes) -> tuple[int, int]:
            data = json.loads(body)
            return len(data["messages"]), data["pagination"]["totalCount"]

        def parse_pydantic(body: bytes) -> tuple[int, int]:
            page = _reference.MessageListResponse.model_validate_json(body)
            return len(page.messages), page.pagination.total_count

        contenders: dict[str, Callable[[], Awaitable[float]]] = {
            "sdk": lambda: sdk_pages(None),
            "sdk_no_prefetch": lambda: sdk_pages(0),
            "aiohttp_json": lambda: raw_pages(parse_json),
            "pydantic": lambda: raw_pages(parse_pydantic),
        }
        for contender in contenders.values():
            await contender()
        log("  message history paging")
        samples = await _alternate(contenders, rounds)

    return [
        compare(
            id="paging_vs_pydantic",
            name="history pages of 100, parsed to models",
            unit="pages/s",
            samples=samples,
            sdk_key="sdk",
            baseline_key="pydantic",
            baseline_name="aiohttp + pydantic v2",
            target=">= 1.00x",
            note="SDK: list_for_member(limit=100).pages(), default prefetch (1 page)",
        ),
        compare(
            id="paging_no_prefetch_vs_pydantic",
            name="  same, SDK with_prefetch(0)",
            unit="pages/s",
            samples=samples,
            sdk_key="sdk_no_prefetch",
            baseline_key="pydantic",
            baseline_name="aiohttp + pydantic v2",
            note="informational: no overlap of fetching and parsing",
        ),
        compare(
            id="paging_vs_json",
            name="  same, vs dicts (no models)",
            unit="pages/s",
            samples=samples,
            sdk_key="sdk",
            baseline_key="aiohttp_json",
            baseline_name="aiohttp + json.loads",
            note="informational: the cost of typed models",
        ),
    ]


def bench_parse_only(rounds: int) -> list[Result]:
    """Parsing one 100-item page from bytes, without I/O: the converter against pydantic."""
    import _reference
    import _server

    from chimekit_core._http import Response
    from chimekit_core._models import MessageListResponse
    from chimekit_core._responses import parse_response

    repeat = 100
    results = []
    for distinct in (False, True):
        body = _server.page_body(HISTORY, 100, 0, distinct=distinct)
        response = Response(status=200, headers={}, content=body)

        def sdk(response: Response = response) -> float:
            started = time.perf_counter()
            for _ in range(repeat):
                parse_response(response, MessageListResponse)
            return repeat / (time.perf_counter() - started)

        def pydantic(body: bytes = body) -> float:
            validate = _reference.MessageListResponse.model_validate_json
            started = time.perf_counter()
            for _ in range(repeat):
                validate(body)
            return repeat / (time.perf_counter() - started)

        samples: dict[str, list[float]] = {"sdk": [], "pydantic": []}
        sdk()
        pydantic()
        for number in range(1, rounds + 1):
            pair = [("sdk", sdk), ("pydantic", pydantic)]
            for name, fn in pair if sdk_first(number) else reversed(pair):
                gc.collect()
                samples[name].append(fn())
        results.append(
            compare(
                id="parse_only_distinct_vs_pydantic" if distinct else "parse_only_vs_pydantic",
                name="  parse only, every recipient distinct"
                if distinct
                else "  parse only: bytes -> 100 models, no I/O",
                unit="pages/s",
                samples=samples,
                sdk_key="sdk",
                baseline_key="pydantic",
                baseline_name="pydantic v2 model_validate_json",
                note="informational: the worst case, no repeated recipient or category to reuse"
                if distinct
                else "informational: json.loads + the generated cattrs hooks vs pydantic-core",
            )
        )
    return results


# --- 4: iterating a slow history -------------------------------------------------------


async def bench_slow_history(base_url: str, rounds: int) -> list[Result]:
    import aiohttp

    from chimekit_async import AsyncChimeKit

    sdk_headers = headers("async")
    url = f"{base_url}/messages/members/{USER}/messages"
    async with AsyncChimeKit(SECRET, base_url=base_url) as ck, aiohttp.ClientSession() as session:

        async def sdk() -> float:
            items = 0
            started = time.perf_counter()
            async for item in ck.messages.list_for_member(USER, limit=100).with_prefetch(PREFETCH):
                items += 1
                del item
            elapsed = time.perf_counter() - started
            assert items == HISTORY, items
            return elapsed

        async def sequential() -> float:
            items = offset = 0
            started = time.perf_counter()
            while True:
                params = {"limit": 100, "offset": offset}
                async with session.get(url, params=params, headers=sdk_headers) as resp:
                    if resp.status != 200:
                        raise RuntimeError(f"HTTP {resp.status}")
                    data = json.loads(await resp.read())
                for item in data["messages"]:
                    items += 1
                    del item
                offset += len(data["messages"])
                if not data["messages"] or offset >= data["pagination"]["totalCount"]:
                    break
            elapsed = time.perf_counter() - started
            assert items == HISTORY, items
            return elapsed

        log(f"  iterating {HISTORY} messages at {SLOW_PAGE_MS:.0f} ms per page")
        samples = await _alternate({"sdk": sdk, "sequential": sequential}, rounds)
    sdk_s, seq_s = median(samples["sdk"]), median(samples["sequential"])
    result = Result(  # times, not rates: the ratio is the speed-up, sequential over SDK
        id="slow_history_speedup",
        name=f"iterate {HISTORY:,} messages, {SLOW_PAGE_MS:.0f} ms/page",
        unit="s",
        sdk=sdk_s,
        baseline=seq_s,
        baseline_name="sequential raw aiohttp",
        target=">= 3.00x",
        samples=samples,
        note=f"SDK: paginator.with_prefetch({PREFETCH}); ratio = speed-up (time saved)",
    )
    result.set_ratios(round_ratios(samples, "sequential", "sdk"))
    return [result]


# --- 5: memory -------------------------------------------------------------------------


def bench_memory(base_url: str) -> list[Result]:
    results = []
    for flavour in ("async", "sync"):
        log(f"  memory, {flavour}: {MEMORY_HISTORY:,} messages")
        command = [sys.executable, str(HERE / "_memory.py"), "--flavour", flavour]
        out = subprocess.run(
            [*command, "--base-url", base_url],
            check=True,
            capture_output=True,
            text=True,
        )
        data = json.loads(out.stdout)
        assert data["items"] == MEMORY_HISTORY, data
        growth_mb = (data["peak_kib"] - data["before_kib"]) / 1024
        results.append(
            Result(
                id=f"memory_{flavour}",
                name=f"RSS growth over {MEMORY_HISTORY:,} items ({flavour})",
                unit="MB",
                sdk=growth_mb,
                baseline=None,
                baseline_name=None,
                target="<= 5 MB",
                passed=growth_mb <= 5.0,
                samples={k: [float(v)] for k, v in data.items()},
                note="peak VmRSS during iteration minus VmRSS before it (after one warm-up page)",
            )
        )
    return results


# --- 6: import time --------------------------------------------------------------------


_IMPORT_TIMER = (
    "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
)


def bench_imports(runs: int) -> list[Result]:
    """Wall time of ``import X`` in fresh interpreters, the modules taking turns."""
    # Measured with bytecode caches in place, as after `pip install` (which compiles them).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    modules = ("chimekit_async", "chimekit_sync", "aiohttp", "urllib3")

    def import_ms(module: str) -> float:
        out = subprocess.run(
            [sys.executable, "-c", _IMPORT_TIMER.format(module=module)],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        )
        return float(out.stdout) * 1000

    for module in modules:
        import_ms(module)  # writes the bytecode caches where they are missing
    samples: dict[str, list[float]] = {module: [] for module in modules}
    for number in range(1, runs + 1):
        for module in modules if sdk_first(number) else reversed(modules):
            samples[module].append(import_ms(module))
    ms = {module: median(values) for module, values in samples.items()}
    results = []
    for name in ("chimekit_async", "chimekit_sync"):
        result = Result(
            id=f"import_{name}",
            name=f"import {name}",
            unit="ms",
            sdk=ms[name],
            baseline=ms["aiohttp"],
            baseline_name="import aiohttp",
            target="<= 0.50x",
            samples=samples,
            note=f"the import statement in a fresh interpreter, median of {runs}; "
            f"import urllib3: {ms['urllib3']:.0f} ms",
        )
        result.set_ratios(round_ratios(samples, name, "aiohttp"))
        results.append(result)
    return results


# --- the report ------------------------------------------------------------------------


def pooled_runs(names: list[str], processes: int, quick: bool) -> list[Result]:
    """Run the comparisons ``names`` in ``processes`` fresh processes; pool their rounds.

    One process's rounds agree closely with each other, yet the next process can land a
    few percent higher or lower as a whole (its memory layout, hash seed and allocator
    state), so several processes are run, one after another, each with its own server,
    and a row's ratio is the median of every round of every process.
    """
    runs: list[list[Result]] = []
    with tempfile.TemporaryDirectory() as scratch:
        for number in range(1, processes + 1):
            log(f"process {number} of {processes}")
            output = Path(scratch) / f"{number}.json"
            command = [sys.executable, str(Path(__file__).resolve()), "--child"]
            command += ["--only", *names, "--output", str(output)] + (["--quick"] if quick else [])
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL, preexec_fn=unpinned)
            runs.append([Result(**row) for row in json.loads(output.read_text("utf-8"))])
    return [pool(list(rows)) for rows in zip(*runs, strict=True)]


def unpinned() -> None:
    """In a child process: every CPU back, for it to pin its own client and server."""
    if ALL_CPUS:
        os.sched_setaffinity(0, ALL_CPUS)


def pool(rows: list[Result]) -> Result:
    """One row from the same row of several processes: their samples and rounds together."""
    first = rows[0]
    samples = {key: [value for row in rows for value in row.samples[key]] for key in first.samples}
    sdk_key, baseline_key = first.samples  # as compare() made them: the SDK's, the baseline's
    pooled = Result(
        id=first.id,
        name=first.name,
        unit=first.unit,
        sdk=median(samples[sdk_key]),
        baseline=median(samples[baseline_key]),
        baseline_name=first.baseline_name,
        target=first.target,
        samples=samples,
        note=first.note,
    )
    pooled.set_ratios([ratio for row in rows for ratio in row.ratios])
    pooled.per_process = [row.ratio for row in rows if row.ratio is not None]
    return pooled


def judge(result: Result) -> None:
    if result.baseline is not None and result.ratio is None:
        result.ratio = result.sdk / result.baseline
    if result.target is None or result.passed is not None:
        return
    op, value = result.target.split()[:2]
    number = float(value.rstrip("x"))
    assert result.ratio is not None
    result.passed = result.ratio >= number if op == ">=" else result.ratio <= number


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit in ("req/s", "pages/s"):
        return f"{value:,.0f} {unit}"
    if unit == "s":
        return f"{value:.3f} s"
    return f"{value:.1f} {unit}"


COLUMNS = (
    "benchmark",
    "SDK",
    "baseline",
    "",
    "ratio",
    "IQR",
    "min-max",
    "per process",
    "target",
    "result",
)


def table(results: list[Result]) -> str:
    rows = [COLUMNS]
    rows += [
        (
            r.name,
            fmt(r.sdk, r.unit),
            fmt(r.baseline, r.unit),
            r.baseline_name or "",
            "-" if r.ratio is None else f"{r.ratio:.2f}x",
            f"{r.spread['q1']:.2f}-{r.spread['q3']:.2f}" if r.spread else "-",
            f"{r.spread['min']:.2f}-{r.spread['max']:.2f}" if r.spread else "-",
            " ".join(f"{ratio:.2f}" for ratio in r.per_process) or "-",
            r.target or "(info)",
            "" if r.passed is None else ("PASS" if r.passed else "FAIL"),
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        lines.append("| " + " | ".join(cells) + " |")
        if index == 0:
            lines.append("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    return "\n".join(lines)


def environment() -> dict[str, Any]:
    versions = {}
    for dist in ("chimekit", "aiohttp", "urllib3", "httpx", "pydantic", "attrs", "cattrs"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "versions": versions,
    }


BENCHMARKS = ("async_get", "sync_get", "paging", "slow_history", "memory", "imports")
# The SDK-vs-baseline comparisons whose rounds are pooled over fresh processes.
POOLED = ("async_get", "sync_get", "paging")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests and rounds")
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, default=list(BENCHMARKS))
    parser.add_argument("--allow-fail", action="store_true", help="exit 0 even if a target fails")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument(
        "--processes",
        type=int,
        default=3,
        help="fresh processes whose rounds are pooled, for the comparisons over HTTP",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.processes < 1:
        parser.error("--processes must be at least 1")
    # Requests are cheap and noisy: many short rounds. Paging rounds are longer.
    get_rounds = 5 if args.quick else 11
    rounds = 3 if args.quick else 5
    scale = 0.5 if args.quick else 1.0
    pinning = pin_cpus()
    if not args.child:
        log(f"chimekit benchmarks ({pinning})")
    started = time.perf_counter()
    results: list[Result] = []
    pooled = [name for name in POOLED if name in args.only]
    if pooled and not args.child:
        results += pooled_runs(pooled, args.processes, args.quick)
    elif pooled:
        with server(total=HISTORY) as fast:
            if "async_get" in args.only:
                log("1. async audience.get")
                results += asyncio.run(bench_async_get(fast.base_url, get_rounds, scale))
            if "sync_get" in args.only:
                log("2. sync audience.get")
                results += bench_sync_get(fast.base_url, get_rounds, scale)
            if "paging" in args.only:
                log("3. paging and parsing")
                results += asyncio.run(bench_paging(fast.base_url, rounds, scale))
                results += bench_parse_only(rounds)
    if args.child:
        args.output.write_text(json.dumps([asdict(r) for r in results]), encoding="utf-8")
        return 0
    if "slow_history" in args.only:
        log("4. slow history")
        with server(total=HISTORY, page_delay_ms=SLOW_PAGE_MS) as slow:
            results += asyncio.run(bench_slow_history(slow.base_url, 3))
    if "memory" in args.only:
        log("5. memory")
        with server(total=MEMORY_HISTORY) as big:
            results += bench_memory(big.base_url)
    if "imports" in args.only:
        log("6. import time")
        results += bench_imports(10)
    for result in results:
        judge(result)
    elapsed = time.perf_counter() - started
    print(table(results))
    failed = [r.name for r in results if r.passed is False]
    passed = sum(1 for r in results if r.passed)
    print(f"\n{passed} targets passed, {len(failed)} failed; {elapsed:.0f} s")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seconds": round(elapsed, 1),
        "quick": args.quick,
        "rounds": {"get": get_rounds, "paging": rounds, "processes": args.processes},
        "environment": {**environment(), "cpu_pinning": pinning},
        "results": [asdict(r) for r in results],
        "table": table(results),
    }
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"written: {args.output}")
    return 1 if failed and not args.allow_fail else 0


if __name__ == "__main__":
    sys.exit(main())
