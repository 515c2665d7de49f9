"""ChimeKit quick start (sync): members, suppressions, messages, history and workflows.

The same tour as ``quickstart.py`` with the blocking client, ``chimekit_sync.ChimeKit``.
It reads ``CHIMEKIT_SECRET_KEY`` and ``CHIMEKIT_BASE_URL`` from the environment::

    python -m chimekit_emulator --port 8787 &
    export CHIMEKIT_BASE_URL=http://127.0.0.1:8787/sdk/v1 CHIMEKIT_SECRET_KEY=sk_test_chimekit
    python examples/quickstart_sync.py
"""

from __future__ import annotations

import sys
import uuid
from concurrent.futures import ThreadPoolExecutor

from chimekit_sync import (
    ChannelContent,
    ChimeKit,
    ChimeKitError,
    EmailContent,
    EmailIdentity,
    InAppContent,
    NotFoundError,
    SentMessage,
)

HISTORY_SIZE = 25
"""How many extra messages the paging step sends."""


def members(ck: ChimeKit, user_id: str) -> None:
    """Create a member with an email identity, read it back and update it."""
    member = ck.audience.identify(
        user_id,
        display_name="Ava Example",
        identities=[EmailIdentity("ava@example.com", verified=True)],
        attributes={"plan": "pro"},
    )
    print(f"[members] identified {member.id} <{member.email}> attributes={member.attributes}")

    fetched = ck.audience.get(user_id)  # None when there is no such member
    if fetched is not None:
        print(f"[members] fetched {fetched.id}: display name {fetched.display_name!r}")

    updated = ck.audience.update(
        user_id, display_name="Ava Example (updated)", attributes={"plan": "enterprise"}
    )
    if updated is not None:
        print(f"[members] updated {updated.id}: {updated.display_name!r} {updated.attributes}")

    missing = ck.audience.get(f"{user_id}-nobody")
    print(f"[members] get() of an unknown member returns {missing}")


def suppressions(ck: ChimeKit, user_id: str) -> None:
    """Suppress the member's email globally and for one category, list, then remove both."""
    email = EmailIdentity("ava@example.com")
    everywhere = ck.audience.suppressions.add(user_id, identity=email)
    marketing = ck.audience.suppressions.add(user_id, identity=email, category_id="marketing")
    print(f"[suppressions] added {everywhere.id} (global) and {marketing.id} (marketing)")

    for suppression in ck.audience.suppressions.list(user_id):
        scope = suppression.category.id if suppression.category else "global"
        value = suppression.identity.value if suppression.identity else "?"
        print(f"[suppressions]   {suppression.id}: {value} {scope} ({suppression.reason})")

    for suppression in (everywhere, marketing):
        ck.audience.suppressions.remove(user_id, suppression.id)
    left = ck.audience.suppressions.list(user_id)
    print(f"[suppressions] removed both; {len(left)} left")


def message(ck: ChimeKit, user_id: str) -> None:
    """Send one message on two channels (in-app and email) and fetch it back."""
    sent = ck.messages.send(
        user_id,
        content=ChannelContent(
            in_app=InAppContent(
                title="Welcome!", snippet="A quick hello from ChimeKit", body="Glad to have you."
            ),
            email=EmailContent(subject="Welcome to ChimeKit", body="Glad to have you."),
        ),
    )
    print(f"[messages] sent {sent.message.id}: {sent.message.dispatch_status}")

    detail = ck.messages.get(sent.message.id)
    title = detail.notification.title if detail.notification else None
    recipient = detail.recipient.email if detail.recipient else None
    print(f"[messages] fetched {detail.message.id}: in-app {title!r}, email to {recipient}")

    try:
        ck.messages.get("msg_does_not_exist")
    except NotFoundError as exc:
        print(f"[messages] unknown id -> NotFoundError {exc.status_code} ({exc.message})")


def history(ck: ChimeKit, user_id: str) -> None:
    """Send a batch of messages from a thread pool, then page through the member's history."""

    def send_update(n: int) -> SentMessage:
        return ck.messages.send(
            user_id, content=ChannelContent(in_app=InAppContent(title=f"Update #{n}"))
        )

    # One client serves every thread: it is safe to share.
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(send_update, range(1, HISTORY_SIZE + 1)))
    print(f"[history] sent {HISTORY_SIZE} more messages")

    seen = [item.message.id for item in ck.messages.list_for_member(user_id, limit=10)]
    print(f"[history] iterated {len(seen)} messages ({len(set(seen))} distinct), 10 per request")

    for page in ck.messages.list_for_member(user_id, limit=10).pages():
        print(
            f"[history]   page at offset {page.offset}: {len(page.items)} items"
            f" of {page.total_count}, next page: {page.has_next_page()}"
        )


def workflow(ck: ChimeKit, user_id: str) -> None:
    """Run a workflow for the member and wait until it has finished."""
    ref = ck.workflows.run("welcome-sequence", user_id, context={"utmCampaign": "quickstart"})
    print(f"[workflows] queued run {ref.run_id} ({ref.status})")
    run = ck.workflows.wait_for_run(ref.run_id, timeout=30.0, poll_interval=0.1)
    took = (
        (run.finished_at - run.created_at).total_seconds()
        if run.finished_at and run.created_at
        else float("nan")
    )
    print(f"[workflows] run {run.id} of {run.workflow_key!r}: {run.status} after {took:.1f} s")


def main() -> int:
    """Run every step against one fresh member, then delete the member."""
    user_id = f"quickstart_{uuid.uuid4().hex[:8]}"
    try:
        with ChimeKit() as ck:
            print(f"sync quickstart: talking to {ck.base_url} as {user_id}")
            members(ck, user_id)
            suppressions(ck, user_id)
            message(ck, user_id)
            history(ck, user_id)
            workflow(ck, user_id)
            deleted = ck.audience.delete(user_id)
            print(f"[members] deleted {deleted}")
    except ChimeKitError as exc:
        print(f"sync quickstart failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print("sync quickstart: done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
