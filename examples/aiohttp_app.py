"""aiohttp.web + ChimeKit: one ``AsyncChimeKit`` per application, managed by a cleanup context.

The cleanup context opens the client when the application starts and closes it when the
application shuts down, so its connection pool is shared by every request and nothing is
left unclosed. Handlers reach it as ``request.app[CHIMEKIT]`` (a typed ``web.AppKey``).

Run it (``CHIMEKIT_SECRET_KEY`` and, for the emulator, ``CHIMEKIT_BASE_URL`` set)::

    python examples/aiohttp_app.py --port 8080
    curl -X POST localhost:8080/welcome/user_123 -H 'content-type: application/json' \
        -d '{"email": "ava@example.com", "name": "Ava"}'
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web

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

# --8<-- [start:context]
CHIMEKIT = web.AppKey("chimekit", AsyncChimeKit)
"""Where the application keeps its ChimeKit client."""


async def chimekit_context(app: web.Application) -> AsyncIterator[None]:
    """Open the ChimeKit client at start-up; close it at shutdown."""
    async with AsyncChimeKit() as chimekit:  # reads CHIMEKIT_SECRET_KEY / CHIMEKIT_BASE_URL
        app[CHIMEKIT] = chimekit
        yield
    logger.info("ChimeKit client closed")


# --8<-- [end:context]


@web.middleware
async def chimekit_errors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Turn ChimeKit's typed errors into HTTP answers, once for every handler."""
    try:
        return await handler(request)
    except NotFoundError as exc:
        return web.json_response({"detail": exc.message}, status=404)
    except RateLimitError as exc:
        retry_after = max(1, round(exc.retry_after or 1))
        return web.json_response(
            {"detail": "notifications are rate limited; try again later"},
            status=503,
            headers={"Retry-After": str(retry_after)},
        )
    except ChimeKitError as exc:
        logger.error("ChimeKit call failed: %s", exc)
        status = 504 if isinstance(exc, APIConnectionError) else 502
        return web.json_response({"detail": "the notification service failed"}, status=status)


async def welcome(request: web.Request) -> web.Response:
    """``POST /welcome/{user_id}`` with ``{"email": ..., "name": ...}``: identify, then greet."""
    user_id = request.match_info["user_id"]
    try:
        body = await request.json()
        email = body["email"]
        name = body.get("name")
    except (ValueError, KeyError, TypeError, AttributeError):
        raise web.HTTPBadRequest(
            text='expected a JSON body like {"email": "ava@example.com"}'
        ) from None
    chimekit = request.app[CHIMEKIT]
    member = await chimekit.audience.identify(
        user_id, display_name=name, identities=[EmailIdentity(email)]
    )
    greeting = f"Welcome, {name}!" if name else "Welcome!"
    sent = await chimekit.messages.send(
        member.id,
        content=ChannelContent(
            in_app=InAppContent(title=greeting, snippet="Thanks for signing up."),
            email=EmailContent(subject=greeting, body="Thanks for signing up."),
        ),
    )
    return web.json_response({"user_id": member.id, "message_id": sent.message.id}, status=201)


async def recent_messages(request: web.Request) -> web.Response:
    """``GET /members/{user_id}/messages``: the member's ten most recent messages."""
    chimekit = request.app[CHIMEKIT]
    page = await chimekit.messages.list_for_member(
        request.match_info["user_id"], limit=10
    ).first_page()
    return web.json_response(
        [{"id": item.message.id, "snippet": item.message.snippet} for item in page.items]
    )


# --8<-- [start:create_app]
def create_app() -> web.Application:
    """Build the application: routes, the error middleware and the client's cleanup context."""
    app = web.Application(middlewares=[chimekit_errors])
    app.cleanup_ctx.append(chimekit_context)
    app.router.add_post("/welcome/{user_id}", welcome)
    app.router.add_get("/members/{user_id}/messages", recent_messages)
    return app


# --8<-- [end:create_app]


def main() -> None:
    """Serve the application until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    web.run_app(create_app(), host=args.host, port=args.port, access_log=None)


if __name__ == "__main__":
    main()
