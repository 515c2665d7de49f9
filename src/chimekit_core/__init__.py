"""Flavour-free parts of the ChimeKit SDK: models, exceptions, retry policy, pagination.

Users import these names from ``chimekit_async`` or ``chimekit_sync``, which re-export
them; both flavours share these very classes, so ``except`` clauses match across them.
This package imports neither aiohttp nor urllib3.
"""

from ._bulk import BulkResult
from ._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ChimeKitError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from ._models import (
    AudienceMemberRef,
    Category,
    ChannelContent,
    EmailContent,
    EmailIdentity,
    Identity,
    InAppContent,
    Member,
    Message,
    MessageDetail,
    MessageListItem,
    MessageSummary,
    Notification,
    Recipient,
    SentMessage,
    Suppression,
    SuppressionIdentity,
    TemplateContent,
    WorkflowRun,
    WorkflowRunRef,
)
from ._options import NOT_GIVEN, NotGiven, RequestOptions
from ._pagination import Page
from ._retry import RetryPolicy
from ._version import __version__

__all__ = [
    "NOT_GIVEN",
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
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
    "RetryPolicy",
    "SentMessage",
    "Suppression",
    "SuppressionIdentity",
    "TemplateContent",
    "UnprocessableEntityError",
    "WorkflowRun",
    "WorkflowRunRef",
    "__version__",
]
