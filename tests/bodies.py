"""JSON bodies the tests share, written once: the API reference's documented examples.

Response bodies are the reference's (``/work/shared/api/chimekit-api-reference.txt``) examples
verbatim; a test that needs another value derives it (``{**MEMBER, "email": None}``) so the
difference is what it shows. Request bodies the emulator's tests send are at the end.
Import as ``from bodies import MEMBER`` (pytest puts ``tests/`` on the path). Nobody mutates
these: derive a copy.
"""

from __future__ import annotations

from typing import Any, Final

TIMESTAMP: Final = "2025-01-01T00:00:00.000Z"
"""Every documented timestamp."""

# Responses ---------------------------------------------------------------------------------------

MEMBER: Final[dict[str, Any]] = {
    "id": "user_123",
    "email": "ava@example.com",
    "displayName": "Ava Example",
    "identities": [{"type": "email", "value": "ava@example.com", "verified": True}],
    "attributes": {"plan": "pro"},
    "created": TIMESTAMP,
    "updated": TIMESTAMP,
    "deleted": None,
    "lastSeen": None,
}
"""An audience member (``{"member": MEMBER}`` is the identify/get/update answer)."""

SUPPRESSION: Final[dict[str, Any]] = {
    "id": "sup_123",
    "reason": "opt-out",
    "createdAt": TIMESTAMP,
    "updatedAt": TIMESTAMP,
    "identity": {
        "id": "aid_123",
        "type": "email",
        "value": "ava@example.com",
        "verified": True,
        "metadata": None,
    },
    "category": None,
}
"""A global suppression of Ava's email."""

MESSAGE: Final[dict[str, Any]] = {
    "id": "msg_123",
    "memberId": "mem_123",
    "categoryId": "cat_123",
    "source": "sdk",
    "templateId": None,
    "templateVersionId": None,
    "payload": {},
    "dispatchStatus": "dispatched",
    "scheduledFor": None,
    "createdAt": TIMESTAMP,
}
"""A sent message, as the send and get-message answers carry it."""

NOTIFICATION: Final[dict[str, Any]] = {
    "id": "not_123",
    "title": "Welcome!",
    "snippet": "A quick hello from ChimeKit",
    "body": "Sent from the SDK endpoints.",
    "actions": None,
    "readAt": None,
    "archivedAt": None,
}
"""The in-app notification of ``MESSAGE``."""

RECIPIENT: Final[dict[str, Any]] = {
    "id": "mem_123",
    "externalUserId": "user_123",
    "displayName": "Ava Example",
    "email": "ava@example.com",
}
"""The recipient of a message (get-message and history)."""

SEND_RESPONSE: Final[dict[str, Any]] = {
    "message": MESSAGE,
    "delivery": None,
    "notification": NOTIFICATION,
    "audienceMember": {"id": "mem_123"},
}
"""The answer to ``POST /messages/send``."""

GET_MESSAGE_RESPONSE: Final[dict[str, Any]] = {
    "message": {
        "message": MESSAGE,
        "delivery": None,
        "notification": NOTIFICATION,
        "recipient": RECIPIENT,
    }
}
"""The answer to ``GET /messages/{id}``."""

HISTORY_MESSAGE: Final[dict[str, Any]] = {
    "id": "msg_123",
    "memberId": "mem_123",
    "categoryId": "cat_123",
    "source": "sdk",
    "dispatchStatus": "dispatched",
    "scheduledFor": None,
    "createdAt": TIMESTAMP,
    "snippet": "A quick hello from ChimeKit",
}
"""The message of a history item (a snippet, no payload)."""

HISTORY_ITEM: Final[dict[str, Any]] = {
    "message": HISTORY_MESSAGE,
    "delivery": None,
    "recipient": RECIPIENT,
    "category": {"id": "cat_123", "name": "Product"},
}
"""One item of a member's message history."""

LIST_RESPONSE: Final[dict[str, Any]] = {
    "messages": [HISTORY_ITEM],
    "pagination": {"totalCount": 1, "limit": 20, "offset": 0},
}
"""The answer to ``GET /audience/members/{id}/messages``."""

RUN: Final[dict[str, Any]] = {
    "id": "wr_123",
    "workflowVersionId": "wv_123",
    "workflowId": "w_123",
    "workflowKey": "welcome-sequence",
    "status": "queued",
    "memberId": "mem_123",
    "memberExternalUserId": "user_123",
    "createdAt": TIMESTAMP,
    "startedAt": None,
    "finishedAt": None,
    "context": {"utmCampaign": "winter-launch", "apiKeyId": "key_123"},
}
"""A workflow run (``{"run": RUN}`` is the run/get-run answer)."""

RUN_RESPONSE: Final[dict[str, Any]] = {"run": RUN}
"""The answer to ``POST /workflows/{key}/runs``."""

# Requests the emulator's tests send ------------------------------------------------------------

U1: Final[dict[str, Any]] = {"externalUserId": "u1"}
"""The body that names member ``u1`` (a workflow run, an identify with nothing else)."""

IN_APP: Final[dict[str, Any]] = {"in_app": {"title": "Hello"}}
"""The smallest valid message content: an in-app notification with a title."""

SEND_U1: Final[dict[str, Any]] = {"externalUserId": "u1", "content": IN_APP}
"""A send of ``IN_APP`` to ``u1``."""

EMAIL_IDENTITY: Final[dict[str, Any]] = {"type": "email", "value": "x@y.z"}
"""An email identity."""

SUPPRESS_EMAIL: Final[dict[str, Any]] = {"identity": EMAIL_IDENTITY}
"""A global suppression of ``EMAIL_IDENTITY``."""

FIXTURES: Final[dict[str, Any]] = {
    "workflows": [
        "welcome-sequence",
        {"key": "digest", "queuedSeconds": 0, "runningSeconds": 0, "finalStatus": "failed"},
    ],
    "categories": ["cat_marketing", {"id": "cat_billing", "name": "Billing"}],
    "templates": [
        "tpl_welcome",
        {"id": "tpl_invoice", "categoryId": "cat_billing", "versions": ["tv_1", "tv_2"]},
    ],
}
"""Fixtures with every kind of entry: short forms, schedules, names, template categories."""
