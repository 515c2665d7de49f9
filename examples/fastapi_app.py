"""FastAPI + ChimeKit: one ``AsyncChimeKit`` per application, opened and closed by the lifespan.

The client keeps a connection pool, so make one per process and share it: the lifespan
creates it at start-up, hands it to every request through the lifespan state, and closes it
at shutdown (no "Unclosed client session" warnings). Endpoints receive it through the
``ChimeKitClient`` dependency, which tests can override with ``app.dependency_overrides``.

Run it (``CHIMEKIT_SECRET_KEY`` and, for the emulator, ``CHIMEKIT_BASE_URL`` set)::

    uvicorn examples.fastapi_app:app
    curl -X POST localhost:8000/welcome/user_123 -H 'content-type: application/json' \
        -d '{"email": "ava@example.com", "name": "Ava"}'
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, TypedDict

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from chimekit_async import (
    APIConnectionError,
    AsyncChimeKit,
    ChannelContent,
    ChimeKitError,
    EmailContent,
    EmailIdentity,
    InAppContent,
    NotFoundError,
    RateLimitError,
)

logger = logging.getLogger(__name__)


# --8<-- [start:lifespan]
class State(TypedDict):
    """What the lifespan puts in every request's ``request.state``."""

    chimekit: AsyncChimeKit


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[State]:
    """Create the ChimeKit client at start-up and close it at shutdown."""
    async with AsyncChimeKit() as chimekit:  # reads CHIMEKIT_SECRET_KEY / CHIMEKIT_BASE_URL
        yield {"chimekit": chimekit}
    logger.info("ChimeKit client closed")


app = FastAPI(title="ChimeKit + FastAPI example", lifespan=lifespan)


def get_chimekit(request: Request) -> AsyncChimeKit:
    """The application's shared ChimeKit client (a FastAPI dependency)."""
    chimekit: AsyncChimeKit = request.state.chimekit
    return chimekit


ChimeKitClient = Annotated[AsyncChimeKit, Depends(get_chimekit)]
# --8<-- [end:lifespan]


class WelcomeRequest(BaseModel):
    """The body of ``POST /welcome/{user_id}``."""

    email: str
    name: str | None = None


class WelcomeResponse(BaseModel):
    """What ``POST /welcome/{user_id}`` returns."""

    user_id: str
    message_id: str


class MessageOut(BaseModel):
    """One message of a member's history."""

    id: str
    snippet: str | None
    category: str | None


@app.post("/welcome/{user_id}", status_code=201)
async def welcome(user_id: str, body: WelcomeRequest, chimekit: ChimeKitClient) -> WelcomeResponse:
    """Identify the user (an upsert) and send them a welcome message, in-app and by email."""
    member = await chimekit.audience.identify(
        user_id, display_name=body.name, identities=[EmailIdentity(body.email)]
    )
    greeting = f"Welcome, {body.name}!" if body.name else "Welcome!"
    sent = await chimekit.messages.send(
        member.id,
        content=ChannelContent(
            in_app=InAppContent(title=greeting, snippet="Thanks for signing up."),
            email=EmailContent(subject=greeting, body="Thanks for signing up."),
        ),
    )
    return WelcomeResponse(user_id=member.id, message_id=sent.message.id)


@app.get("/members/{user_id}/messages")
async def recent_messages(
    user_id: str,
    chimekit: ChimeKitClient,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[MessageOut]:
    """The member's most recent messages, newest first (one request: the first page)."""
    page = await chimekit.messages.list_for_member(user_id, limit=limit).first_page()
    return [
        MessageOut(
            id=item.message.id,
            snippet=item.message.snippet,
            category=item.category.name if item.category else None,
        )
        for item in page.items
    ]


# Map ChimeKit's typed errors to HTTP answers once, instead of in every endpoint. Starlette
# picks the handler of the most specific class.


@app.exception_handler(NotFoundError)
async def chimekit_not_found(request: Request, exc: NotFoundError) -> JSONResponse:
    """A member or message that does not exist is this API's 404 too."""
    return JSONResponse({"detail": exc.message}, status_code=404)


@app.exception_handler(RateLimitError)
async def chimekit_rate_limited(request: Request, exc: RateLimitError) -> JSONResponse:
    """Still rate limited after the SDK's retries: ask our caller to come back later."""
    retry_after = max(1, round(exc.retry_after or 1))
    return JSONResponse(
        {"detail": "notifications are rate limited; try again later"},
        status_code=503,
        headers={"Retry-After": str(retry_after)},
    )


@app.exception_handler(ChimeKitError)
async def chimekit_failed(request: Request, exc: ChimeKitError) -> JSONResponse:
    """Any other ChimeKit failure is a bad gateway; the log has the details and request id."""
    logger.error("ChimeKit call failed: %s", exc)
    status = 504 if isinstance(exc, APIConnectionError) else 502
    return JSONResponse({"detail": "the notification service failed"}, status_code=status)
