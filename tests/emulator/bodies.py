"""JSON bodies the emulator's tests share, written once."""

from __future__ import annotations

from typing import Any, Final

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
