"""Benchmark 5, run in a fresh process: RSS growth while iterating a long message history.

    python bench/_memory.py --flavour async --base-url URL

Warms up (one page: imports, hooks, connection), then iterates the whole history the
server holds (bench/run.py starts it with 100,000 messages) item by item with the SDK's
paginator, discarding each item as it is consumed, and samples VmRSS from
/proc/self/status every 100 items. Prints one JSON object: RSS before, after and at the
peak, in KiB.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import resource
import sys

SECRET = "sk_bench_memory"


def rss_kib() -> int:
    """The current resident set size (VmRSS), or the peak from getrusage where /proc is missing."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class Sampler:
    def __init__(self) -> None:
        gc.collect()
        self.before = rss_kib()
        self.peak = self.before

    def sample(self) -> None:
        self.peak = max(self.peak, rss_kib())

    def report(self, items: int) -> dict[str, int]:
        after = rss_kib()
        self.peak = max(self.peak, after)
        return {
            "items": items,
            "before_kib": self.before,
            "after_kib": after,
            "peak_kib": self.peak,
        }


async def run_async(base_url: str, user: str, limit: int) -> dict[str, int]:
    from chimekit_async import AsyncChimeKit

    async with AsyncChimeKit(SECRET, base_url=base_url) as ck:
        await ck.messages.list_for_member(user, limit=limit).first_page()
        sampler = Sampler()
        items = 0
        async for item in ck.messages.list_for_member(user, limit=limit):
            items += 1
            del item
            if items % 100 == 0:
                sampler.sample()
        return sampler.report(items)


def run_sync(base_url: str, user: str, limit: int) -> dict[str, int]:
    from chimekit_sync import ChimeKit

    with ChimeKit(SECRET, base_url=base_url) as ck:
        ck.messages.list_for_member(user, limit=limit).first_page()
        sampler = Sampler()
        items = 0
        for item in ck.messages.list_for_member(user, limit=limit):
            items += 1
            del item
            if items % 100 == 0:
                sampler.sample()
        return sampler.report(items)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--flavour", choices=("async", "sync"), required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--user", default="user_123")
    parser.add_argument("--limit", type=int, default=100)
    args = parser.parse_args()
    if args.flavour == "async":
        result = asyncio.run(run_async(args.base_url, args.user, args.limit))
    else:
        result = run_sync(args.base_url, args.user, args.limit)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
