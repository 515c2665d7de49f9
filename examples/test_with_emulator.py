"""Testing your own code against the ChimeKit emulator, with chimekit's pytest plugin.

Installing ``chimekit`` registers the plugin; there is nothing to configure. It gives you:

- ``chimekit_emulator``: a local emulator of the whole API (one per test session, reset
  before each test) with ``base_url``, ``secret_key`` and the admin controls ``outbox()``,
  ``journal()``, ``add_fault(...)`` and ``advance_runs(...)``;
- ``async_chimekit``: an ``AsyncChimeKit`` connected to it, closed after the test;
- ``chimekit``: a ``ChimeKit`` connected to it, closed after the test.

Copy this file into your tests and replace ``welcome_user`` with your own code. Run it with
``pytest examples/test_with_emulator.py``. The async tests need pytest-asyncio.
"""

from __future__ import annotations

import pytest

from chimekit_async import AsyncChimeKit, ChannelContent, EmailIdentity, InAppContent
from chimekit_emulator import EmulatorHandle
from chimekit_sync import ChimeKit, RateLimitError

# --- the code under test: in your project it lives in your application -------------------


async def welcome_user(ck: AsyncChimeKit, user_id: str, email: str) -> str:
    """Identify a new user and send them a welcome message; return the message id."""
    await ck.audience.identify(user_id, identities=[EmailIdentity(email)])
    sent = await ck.messages.send(
        user_id, content=ChannelContent(in_app=InAppContent(title="Welcome!"))
    )
    return sent.message.id


def start_onboarding(ck: ChimeKit, user_id: str) -> str:
    """Identify a user and start their onboarding workflow; return the run id."""
    ck.audience.identify(user_id)
    return ck.workflows.run("onboarding", user_id, context={"source": "signup"}).run_id


# --- the tests ---------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_welcome_user_sends_one_message(
    async_chimekit: AsyncChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """The outbox shows exactly what was sent, to whom."""
    message_id = await welcome_user(async_chimekit, "user_1", "ava@example.com")

    [sent] = chimekit_emulator.outbox()
    assert sent["messageId"] == message_id
    assert sent["externalUserId"] == "user_1"
    assert sent["content"]["in_app"]["title"] == "Welcome!"


@pytest.mark.asyncio
async def test_a_failed_send_is_retried_without_a_duplicate(
    async_chimekit: AsyncChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """A 503 is retried with the same Idempotency-Key, and the message goes out once."""
    chimekit_emulator.add_fault(method="POST", path="^/messages/send$", status=503, times=1)

    await welcome_user(async_chimekit, "user_1", "ava@example.com")

    sends = [r for r in chimekit_emulator.journal() if r["path"].endswith("/messages/send")]
    assert [r["status"] for r in sends] == [503, 200]
    assert len({r["headers"]["Idempotency-Key"] for r in sends}) == 1
    assert len(chimekit_emulator.outbox()) == 1


def test_onboarding_workflow_runs_to_completion(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """advance_runs() finishes a run at once instead of waiting for the emulator's schedule."""
    run_id = start_onboarding(chimekit, "user_2")

    chimekit_emulator.advance_runs(run_id, status="completed")

    run = chimekit.workflows.get_run(run_id)
    assert run.status == "completed"
    assert run.context is not None
    assert run.context["source"] == "signup"


def test_rate_limiting_surfaces_retry_after(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """A 429 asking for a long wait is raised at once, with retry_after for a task queue."""
    chimekit.audience.identify("user_3")
    chimekit_emulator.add_fault(
        method="POST", path="^/messages/send$", status=429, headers={"Retry-After": "120"}
    )

    with pytest.raises(RateLimitError) as caught:
        chimekit.messages.send("user_3", content={"in_app": {"title": "Hi"}})

    assert caught.value.retry_after == 120.0
