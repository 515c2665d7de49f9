"""ChimeKit quick start (async): members, suppressions, messages, history and workflows.

The client reads its settings from the environment:

- ``CHIMEKIT_SECRET_KEY``: your secret key (the emulator accepts ``sk_test_chimekit``);
- ``CHIMEKIT_BASE_URL``: the API root; leave it unset for the real API, or point it at the
  local emulator.

Against the emulator::

    python -m chimekit_emulator --port 8787 &
    export CHIMEKIT_BASE_URL=http://127.0.0.1:8787/sdk/v1 CHIMEKIT_SECRET_KEY=sk_test_chimekit
    python examples/quickstart.py

``python examples/run_demo.py`` does all of that for you, for this script and its sync twin
``quickstart_sync.py``.
"""

from __future__ import annotations

import asyncio
import sys
import uuid

from chimekit_async import (
    AsyncChimeKit,
    ChannelContent,
    ChimeKitError,
    EmailContent,
    EmailIdentity,
    InAppContent,
    NotFoundError,
)

HISTORY_SIZE = 25
"""How many extra messages the paging step sends."""


async def members(ck: AsyncChimeKit, user_id: str) -> None:
    """Create a member with an email identity, read it back and update it."""
    member = await ck.audience.identify(
        user_id,
        display_name="Ava Example",
        identities=[EmailIdentity("ava@example.com", verified=True)],
        attributes={"plan": "pro"},
    )
    print(f"[members] identified {member.id} <{member.email}> attributes={member.attributes}")

    fetched = await ck.audience.get(user_id)  # None when there is no such member
    if fetched is not None:
        print(f"[members] fetched {fetched.id}: display name {fetched.display_name!r}")

    updated = await ck.audience.update(
        user_id, display_name="Ava Example (updated)", attributes={"plan": "enterprise"}
    )
    if updated is not None:
        print(f"[members] updated {updated.id}: {updated.display_name!r} {updated.attributes}")

    missing = await ck.audience.get(f"{user_id}-nobody")
    print(f"[members] get() of an unknown member returns {missing}")


async def suppressions(ck: AsyncChimeKit, user_id: str) -> None:
    """Suppress the member's email globally and for one category, list, then remove both."""
    email = EmailIdentity("ava@example.com")
    everywhere = await ck.audience.suppressions.add(user_id, identity=email)
    marketing = await ck.audience.suppressions.add(user_id, identity=email, category_id="marketing")
    print(f"[suppressions] added {everywhere.id} (global) and {marketing.id} (marketing)")

    for suppression in await ck.audience.suppressions.list(user_id):
        scope = suppression.category.id if suppression.category else "global"
        value = suppression.identity.value if suppression.identity else "?"
        print(f"[suppressions]   {suppression.id}: {value} {scope} ({suppression.reason})")

    for suppression in (everywhere, marketing):
        await ck.audience.suppressions.remove(user_id, suppression.id)
    left = await ck.audience.suppressions.list(user_id)
    print(f"[suppressions] removed both; {len(left)} left")


async def message(ck: AsyncChimeKit, user_id: str) -> None:
    """Send one message on two channels (in-app and email) and fetch it back."""
    sent = await ck.messages.send(
        user_id,
        content=ChannelContent(
            in_app=InAppContent(
                title="Welcome!", snippet="A quick hello from ChimeKit", body="Glad to have you."
            ),
            email=EmailContent(subject="Welcome to ChimeKit", body="Glad to have you."),
        ),
    )
    print(f"[messages] sent {sent.message.id}: {sent.message.dispatch_status}")

    detail = await ck.messages.get(sent.message.id)
    title = detail.notification.title if detail.notification else None
    recipient = detail.recipient.email if detail.recipient else None
    print(f"[messages] fetched {detail.message.id}: in-app {title!r}, email to {recipient}")

    try:
        await ck.messages.get("msg_does_not_exist")
    except NotFoundError as exc:
        print(f"[messages] unknown id -> NotFoundError {exc.status_code} ({exc.message})")


async def history(ck: AsyncChimeKit, user_id: str) -> None:
    """Send a batch of messages concurrently, then page through the member's history."""
    await asyncio.gather(
        *(
            ck.messages.send(
                user_id, content=ChannelContent(in_app=InAppContent(title=f"Update #{n}"))
            )
            for n in range(1, HISTORY_SIZE + 1)
        )
    )
    print(f"[history] sent {HISTORY_SIZE} more messages")

    seen = [item.message.id async for item in ck.messages.list_for_member(user_id, limit=10)]
    print(f"[history] iterated {len(seen)} messages ({len(set(seen))} distinct), 10 per request")

    async for page in ck.messages.list_for_member(user_id, limit=10).pages():
        print(
            f"[history]   page at offset {page.offset}: {len(page.items)} items"
            f" of {page.total_count}, next page: {page.has_next_page()}"
        )


async def workflow(ck: AsyncChimeKit, user_id: str) -> None:
    """Run a workflow for the member and wait until it has finished."""
    ref = await ck.workflows.run("welcome-sequence", user_id, context={"utmCampaign": "quickstart"})
    print(f"[workflows] queued run {ref.run_id} ({ref.status})")
    run = await ck.workflows.wait_for_run(ref.run_id, timeout=30.0, poll_interval=0.1)
    took = (
        (run.finished_at - run.created_at).total_seconds()
        if run.finished_at and run.created_at
        else float("nan")
    )
    print(f"[workflows] run {run.id} of {run.workflow_key!r}: {run.status} after {took:.1f} s")


async def main() -> int:
    """Run every step against one fresh member, then delete the member."""
    user_id = f"quickstart_{uuid.uuid4().hex[:8]}"
    try:
        async with AsyncChimeKit() as ck:
            print(f"async quickstart: talking to {ck.base_url} as {user_id}")
            await members(ck, user_id)
            await suppressions(ck, user_id)
            await message(ck, user_id)
            await history(ck, user_id)
            await workflow(ck, user_id)
            deleted = await ck.audience.delete(user_id)
            print(f"[members] deleted {deleted}")
    except ChimeKitError as exc:
        print(f"async quickstart failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print("async quickstart: done")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
