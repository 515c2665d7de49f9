"""The asynchronous ChimeKit client (aiohttp).

Example:
    >>> from chimekit_async import AsyncChimeKit
    >>> async def main() -> None:
    ...     async with AsyncChimeKit() as ck:
    ...         member = await ck.audience.get("user_123")

Models and exceptions are ``chimekit_core``'s very classes, shared with ``chimekit_sync``.
"""

from chimekit_core import (
    NOT_GIVEN,
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AudienceMemberRef,
    AuthenticationError,
    BadRequestError,
    BulkResult,
    Category,
    ChannelContent,
    ChimeKitError,
    ConflictError,
    EmailContent,
    EmailIdentity,
    Identity,
    InAppContent,
    InternalServerError,
    Member,
    Message,
    MessageDetail,
    MessageListItem,
    MessageSummary,
    NotFoundError,
    NotGiven,
    Notification,
    Page,
    PermissionDeniedError,
    RateLimitError,
    Recipient,
    RequestOptions,
    SentMessage,
    Suppression,
    SuppressionIdentity,
    TemplateContent,
    UnprocessableEntityError,
    WorkflowRun,
    WorkflowRunRef,
)
from chimekit_core._version import __version__

from ._client import AsyncChimeKit
from ._pagination import AsyncPaginator

__all__ = [
    "NOT_GIVEN",
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncChimeKit",
    "AsyncPaginator",
    "AudienceMemberRef",
    "AuthenticationError",
    "BadRequestError",
    "BulkResult",
    "Category",
    "ChannelContent",
    "ChimeKitError",
    "ConflictError",
    "EmailContent",
    "EmailIdentity",
    "Identity",
    "InAppContent",
    "InternalServerError",
    "Member",
    "Message",
    "MessageDetail",
    "MessageListItem",
    "MessageSummary",
    "NotFoundError",
    "NotGiven",
    "Notification",
    "Page",
    "PermissionDeniedError",
    "RateLimitError",
    "Recipient",
    "RequestOptions",
    "SentMessage",
    "Suppression",
    "SuppressionIdentity",
    "TemplateContent",
    "UnprocessableEntityError",
    "WorkflowRun",
    "WorkflowRunRef",
    "__version__",
]
