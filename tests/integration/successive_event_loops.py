"""One AsyncChimeKit, built outside any event loop, used from ten successive ``asyncio.run()``.

Run by test_event_loops.py with ``python -W error``: every warning, an unclosed session's
ResourceWarning included, is an error, and anything printed to stderr fails the test. The
client is closed from the last of the ten loops.
"""

from __future__ import annotations

import asyncio
import gc
import sys

from chimekit_async import AsyncChimeKit, ChannelContent, ChimeKitError, InAppContent

RUNS = 10

client = AsyncChimeKit()  # module level, no loop running yet: reads CHIMEKIT_* from the env


async def use_once(run: int) -> None:
    """Identify, send and page in this loop; a concurrent burst opens several connections."""
    user_id = f"loop_user_{run}"
    member = await client.audience.identify(user_id, display_name=f"Loop {run}")
    await asyncio.gather(
        *(
            client.messages.send(
                member.id, content=ChannelContent(in_app=InAppContent(title=f"{run}.{n}"))
            )
            for n in range(3)
        )
    )
    ids = [item.message.id async for item in client.messages.list_for_member(user_id, limit=2)]
    assert len(set(ids)) == 3, ids
    if run == RUNS - 1:
        await client.close()


def main() -> int:
    """Run the ten loops, then check that the closed client refuses to work."""
    for run in range(RUNS):
        asyncio.run(use_once(run))
        gc.collect()
    try:
        asyncio.run(client.audience.get("loop_user_0"))
    except ChimeKitError:
        pass
    else:
        print("a closed client still sent a request", file=sys.stderr)
        return 1
    gc.collect()
    print(f"ok: {RUNS} event loops")
    return 0


if __name__ == "__main__":
    sys.exit(main())
