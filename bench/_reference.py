"""The reference the SDK's parsing is compared with: pydantic v2 models of the same shapes.

Written the way a user of pydantic would: camelCase aliases, frozen models, the same
types and optionality as the SDK's attrs models (``chimekit_core._models``), validated
straight from the response bytes with ``model_validate_json``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class _Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, frozen=True)


class MessageSummary(_Model):
    id: str
    member_id: str | None
    category_id: str | None
    source: str | None
    dispatch_status: str | None
    scheduled_for: datetime | None
    created_at: datetime | None
    snippet: str | None


class Recipient(_Model):
    id: str
    external_user_id: str | None
    display_name: str | None
    email: str | None


class Category(_Model):
    id: str
    name: str | None


class MessageListItem(_Model):
    message: MessageSummary
    delivery: dict[str, Any] | None
    recipient: Recipient | None
    category: Category | None


class Pagination(_Model):
    total_count: int
    limit: int
    offset: int


class MessageListResponse(_Model):
    messages: list[MessageListItem]
    pagination: Pagination
