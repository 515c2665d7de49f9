# GENERATED from src/chimekit_async/__init__.py by codegen/generate.py: do not edit by hand.
# Edit the async original and run `python codegen/generate.py`.
"""The synchronous ChimeKit client (urllib3).

Example:
    >>> from chimekit_sync import ChimeKit
    >>> def main() -> None:
    ...     with ChimeKit() as ck:
    ...         member = ck.audience.get("user_123")

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

from ._client import ChimeKit
from ._pagination import Paginator

__all__ = [
    "NOT_GIVEN",
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "ChimeKit",
    "Paginator",
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
