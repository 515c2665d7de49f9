"""The API's resources as frozen, slotted attrs classes, and the input helpers.

Attribute names are snake_case; the converter (``_converter.py``) maps them to the
camelCase of the wire. A field whose wire name is not its camelCase form says so in
its metadata (``wire``).

Response models are read tolerantly (the converter does it for every model, by type):
a field typed ``X | None`` (or ``Any``) that is missing or ``null`` reads as ``None``,
a ``list`` field as ``[]``; any other missing field (the identifiers: ``id``,
``runId``) is an error. A value of the wrong type is an error too. Fields the SDK does
not know are kept, in the private ``_extra`` slot of the instance (not part of ``==``
or ``repr``), and come back in ``to_dict()``.

The ``...Param`` TypedDicts type the plain dicts the SDK accepts, keys as on the wire.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, NotRequired, Required, Self, TypedDict

import attrs

__all__ = [
    "AudienceMemberRef",
    "Category",
    "ChannelContent",
    "ChannelContentParam",
    "EmailContent",
    "EmailContentParam",
    "EmailIdentity",
    "Identity",
    "IdentityParam",
    "InAppContent",
    "InAppContentParam",
    "Member",
    "Message",
    "MessageDetail",
    "MessageListItem",
    "MessageSummary",
    "Notification",
    "Recipient",
    "SentMessage",
    "Suppression",
    "SuppressionIdentity",
    "TemplateContent",
    "TemplateContentParam",
    "WorkflowRun",
    "WorkflowRunRef",
]

JSONObject = dict[str, Any]
"""A JSON object whose shape the API leaves open (attributes, payload, context, delivery)."""


def _wire(name: str) -> dict[str, str]:
    return {"wire": name}


# --- responses -------------------------------------------------------------------------


class ResponseModel:
    """The base of every response model: wire-form conversions and the unknown fields.

    The ``_extra`` slot holds the received keys the SDK does not know yet. Only the
    converter sets it (``from_dict`` and API responses), and only when there are such
    keys: a model's constructor never spends time on it. Not being an attrs field, it is
    left out of ``==``, ``hash``, ``repr``, the constructor and ``attrs.asdict``; it comes
    back in ``to_dict()`` and is kept by ``pickle`` and ``copy``.
    """

    __slots__ = ("_extra",)
    _extra: dict[str, Any]  # unset when the server sent nothing unknown

    if TYPE_CHECKING:  # attrs writes it for every model

        def __setstate__(self, state: Any) -> None: ...

    def __reduce__(self) -> tuple[Any, ...]:
        # attrs pickles and copies a slotted class by its fields only: add the unknown keys.
        return _restore, (type(self), self.__getstate__(), getattr(self, "_extra", None))

    def to_dict(self) -> dict[str, Any]:
        """The model in wire form: camelCase keys, ISO-8601 timestamps, JSON-ready values.

        Fields the server sent that the SDK does not know are included as received.
        """
        from ._converter import get_converter

        wire: dict[str, Any] = get_converter().unstructure(self)
        return wire

    def to_json(self) -> str:
        """``to_dict()`` encoded as a JSON string."""
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build the model from its wire form (what ``to_dict()`` returns, or an API body).

        Read as API responses are: missing or ``null`` optional fields become ``None``
        (lists ``[]``) and unknown keys are kept.

        Raises:
            ValueError: an identifier (``id``, ``runId``) is missing or a timestamp is invalid.
            TypeError: a value has the wrong type, or ``data`` is not a mapping.
        """
        from ._converter import get_converter

        return get_converter().structure(dict(data) if isinstance(data, Mapping) else data, cls)


def _restore(cls: type[ResponseModel], state: Any, extra: dict[str, Any] | None) -> ResponseModel:
    """Unpickle a model: its fields as attrs does, then the unknown keys it came with."""
    made = cls.__new__(cls)
    made.__setstate__(state)
    if extra is not None:
        object.__setattr__(made, "_extra", extra)
    return made


@attrs.frozen
class Identity(ResponseModel):
    """A channel identity of a member, e.g. ``Identity(type="email", value="ava@example.com")``."""

    type: str
    value: str
    verified: bool | None


@attrs.frozen
class Member(ResponseModel):
    """An audience member, as returned by identify, get and update.

    ``id`` is your ``externalUserId``; ``email`` comes from the member's email identity.
    """

    id: str
    email: str | None
    display_name: str | None
    identities: list[Identity]
    attributes: JSONObject | None
    created: datetime | None
    updated: datetime | None
    deleted: datetime | None
    last_seen: datetime | None


@attrs.frozen
class Category(ResponseModel):
    """A message category, e.g. ``Category(id="cat_123", name="Product")``."""

    id: str
    name: str | None


@attrs.frozen
class SuppressionIdentity(ResponseModel):
    """The identity a suppression applies to."""

    id: str | None
    type: str | None
    value: str | None
    verified: bool | None
    metadata: JSONObject | None


@attrs.frozen
class Suppression(ResponseModel):
    """A delivery suppression for one identity: global, or for one ``category``."""

    id: str
    reason: str | None
    created_at: datetime | None
    updated_at: datetime | None
    identity: SuppressionIdentity | None
    category: Category | None


@attrs.frozen
class Message(ResponseModel):
    """A message record, as returned by send and get."""

    id: str
    member_id: str | None
    category_id: str | None
    source: str | None
    template_id: str | None
    template_version_id: str | None
    payload: JSONObject | None
    dispatch_status: str | None
    scheduled_for: datetime | None
    created_at: datetime | None


@attrs.frozen
class Notification(ResponseModel):
    """The in-app notification a message created."""

    id: str
    title: str | None
    snippet: str | None
    body: str | None
    actions: Any
    read_at: datetime | None
    archived_at: datetime | None


@attrs.frozen
class AudienceMemberRef(ResponseModel):
    """A reference to the member a message went to (the API's internal member id)."""

    id: str


@attrs.frozen
class SentMessage(ResponseModel):
    """What ``messages.send`` returns: the message, its delivery and its notification."""

    message: Message
    delivery: JSONObject | None
    notification: Notification | None
    audience_member: AudienceMemberRef | None


@attrs.frozen
class Recipient(ResponseModel):
    """The member a message was sent to."""

    id: str
    external_user_id: str | None
    display_name: str | None
    email: str | None


@attrs.frozen
class MessageDetail(ResponseModel):
    """What ``messages.get`` returns (the API's nested ``message.message`` is flattened)."""

    message: Message
    delivery: JSONObject | None
    notification: Notification | None
    recipient: Recipient | None


@attrs.frozen
class MessageSummary(ResponseModel):
    """The message part of a history item."""

    id: str
    member_id: str | None
    category_id: str | None
    source: str | None
    dispatch_status: str | None
    scheduled_for: datetime | None
    created_at: datetime | None
    snippet: str | None


@attrs.frozen
class MessageListItem(ResponseModel):
    """One item of a member's message history."""

    message: MessageSummary
    delivery: JSONObject | None
    recipient: Recipient | None
    category: Category | None


@attrs.frozen
class WorkflowRunRef(ResponseModel):
    """What ``workflows.run`` returns: the queued run's id and status."""

    run_id: str
    status: str | None


@attrs.frozen
class WorkflowRun(ResponseModel):
    """A workflow run; ``finished_at`` is set once it completed."""

    id: str
    workflow_version_id: str | None
    workflow_id: str | None
    workflow_key: str | None
    status: str | None
    member_id: str | None
    member_external_user_id: str | None
    created_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    context: JSONObject | None


@attrs.frozen
class Pagination(ResponseModel):
    """The ``pagination`` block of a list response (internal)."""

    total_count: int
    limit: int
    offset: int


@attrs.frozen
class MessageListResponse(ResponseModel):
    """The body of the message-history endpoint (internal)."""

    messages: list[MessageListItem]
    pagination: Pagination


# --- inputs ----------------------------------------------------------------------------
# None fields are left out of the request body.


@attrs.frozen
class EmailIdentity:
    """An email identity to attach or suppress: sent as ``{"type": "email", "value": ...}``.

    Example:
        >>> EmailIdentity("ava@example.com", verified=True)
        EmailIdentity(value='ava@example.com', verified=True, type='email')
    """

    value: str
    verified: bool | None = None
    type: str = attrs.field(default="email", init=False)


@attrs.frozen
class TemplateContent:
    """Message content that sends a stored template as is, with optional variables."""

    template_id: str
    template_version_id: str | None = None
    variables: JSONObject | None = None


@attrs.frozen
class InAppContent:
    """In-app channel content: a manual notification, or a ``template_id`` reference."""

    title: str | None = None
    snippet: str | None = None
    body: str | None = None
    actions: list[JSONObject] | None = None
    template_id: str | None = None


@attrs.frozen
class EmailContent:
    """Email channel content written by hand."""

    subject: str
    body: str | None = None
    html: str | None = None


@attrs.frozen
class ChannelContent:
    """Message content given per channel; at least one of ``in_app`` and ``email``.

    Example:
        >>> ChannelContent(in_app=InAppContent(title="Welcome!", snippet="Hi"))
        ChannelContent(in_app=InAppContent(title='Welcome!', ...), email=None, variables=None)
    """

    in_app: InAppContent | JSONObject | None = attrs.field(default=None, metadata=_wire("in_app"))
    email: EmailContent | JSONObject | None = None
    variables: JSONObject | None = None


# --- plain-dict inputs (keys as on the wire) -------------------------------------------


class IdentityParam(TypedDict):
    """An identity given as a dict: ``{"type": "email", "value": "ava@example.com"}``."""

    type: Required[str]
    value: Required[str]
    verified: NotRequired[bool | None]


class TemplateContentParam(TypedDict, total=False):
    """Content that sends a stored template: ``{"templateId": "tpl_1", "variables": {...}}``."""

    templateId: Required[str]
    templateVersionId: str | None
    variables: dict[str, Any] | None


class InAppContentParam(TypedDict, total=False):
    """In-app channel content as a dict (``templateId`` to use a template)."""

    title: str | None
    snippet: str | None
    body: str | None
    actions: list[dict[str, Any]] | None
    templateId: str | None


class EmailContentParam(TypedDict, total=False):
    """Email channel content as a dict."""

    subject: Required[str]
    body: str | None
    html: str | None


class ChannelContentParam(TypedDict, total=False):
    """Content given per channel as a dict; at least one of ``in_app`` and ``email``."""

    in_app: InAppContentParam | None
    email: EmailContentParam | None
    variables: dict[str, Any] | None
