# GENERATED from src/chimekit_async/_audience.py by codegen/generate.py: do not edit by hand.
# Edit the async original and run `python codegen/generate.py`.
"""``ck.audience``: members and their suppressions."""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Unpack

from chimekit_core._bulk import DEFAULT_CONCURRENCY, IDENTIFY_ROW, BulkResult
from chimekit_core._encoding import path_segment
from chimekit_core._models import EmailIdentity, Member, Suppression
from chimekit_core._options import NOT_GIVEN, NotGiven, RequestOptions, omit_not_given
from chimekit_core._responses import parse_field
from chimekit_core._validation import (
    check_identities,
    check_identity,
    check_json_object,
    optional_text,
    require_id,
)

from ._bulk import Rows, bulk

if TYPE_CHECKING:
    from ._client import ChimeKit

__all__ = ["Audience", "Suppressions"]

IdentityInput = EmailIdentity | Mapping[str, Any]
_MEMBER_OR_NONE = Member | None  # built once, not on every call


class Suppressions:
    """``ck.audience.suppressions``: stop delivery to one identity, globally or per category."""

    def __init__(self, client: ChimeKit) -> None:
        self._client = client

    def list(
        self, external_user_id: str, **options: Unpack[RequestOptions]
    ) -> builtins.list[Suppression]:
        """List a member's suppressions.

        Raises:
            ValueError: ``external_user_id`` is empty.
            NotFoundError: the member does not exist.
        """
        path = (
            f"/audience/members/{path_segment(external_user_id, 'external_user_id')}/suppressions"
        )
        response = self._client._send("GET", path, options=options)
        return parse_field(response, "suppressions", list[Suppression])  # type: ignore[no-any-return]

    def add(
        self,
        external_user_id: str,
        *,
        identity: IdentityInput,
        category_id: str | NotGiven | None = NOT_GIVEN,
        **options: Unpack[RequestOptions],
    ) -> Suppression:
        """Suppress delivery to ``identity``: everywhere, or only for ``category_id``.

        Args:
            external_user_id: The member.
            identity: ``EmailIdentity("ava@example.com")`` or ``{"type": ..., "value": ...}``.
            category_id: Suppress only this category; leave it out for a global suppression.
            **options: ``timeout``, ``max_retries``, ``extra_headers``.

        Raises:
            ValueError: an empty id or an identity without ``type``/``value``.
        """
        segment = path_segment(external_user_id, "external_user_id")
        body = omit_not_given(
            {"identity": check_identity(identity, "identity"), "categoryId": category_id}
        )
        response = self._client._send(
            "POST", f"/audience/members/{segment}/suppressions", body=body, options=options
        )
        return parse_field(response, "suppression", Suppression)  # type: ignore[no-any-return]

    def remove(
        self, external_user_id: str, suppression_id: str, **options: Unpack[RequestOptions]
    ) -> None:
        """Remove a suppression.

        Raises:
            ValueError: an empty id.
            NotFoundError: no such suppression.
        """
        member = path_segment(external_user_id, "external_user_id")
        suppression = path_segment(suppression_id, "suppression_id")
        self._client._send(
            "DELETE", f"/audience/members/{member}/suppressions/{suppression}", options=options
        )


class Audience:
    """``ck.audience``: identify, read, update and delete audience members."""

    suppressions: Suppressions
    """A member's delivery suppressions."""

    def __init__(self, client: ChimeKit) -> None:
        self._client = client
        self.suppressions = Suppressions(client)

    def identify(
        self,
        external_user_id: str,
        *,
        display_name: str | NotGiven | None = NOT_GIVEN,
        attributes: Mapping[str, Any] | NotGiven | None = NOT_GIVEN,
        identities: Sequence[IdentityInput] | NotGiven | None = NOT_GIVEN,
        idempotency_key: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Member:
        """Create or update the member with this ``external_user_id`` (an upsert).

        Options left out are not sent (the stored values stay); ``None`` is sent as null.

        Args:
            external_user_id: Your stable id for the user.
            display_name: A human-friendly name.
            attributes: Arbitrary JSON attributes.
            identities: ``EmailIdentity`` objects or ``{"type": "email", "value": ...}`` dicts.
            idempotency_key: Sent as ``Idempotency-Key``; one is generated otherwise.
            **options: ``timeout``, ``max_retries``, ``extra_headers``.

        Raises:
            ValueError: an empty id, or an identity without ``type``/``value``.

        Example:
            >>> ck.audience.identify(  # doctest: +SKIP
            ...     "user_123", identities=[EmailIdentity("ava@example.com")]
            ... )
        """
        body = omit_not_given(
            {
                "externalUserId": require_id(external_user_id, "external_user_id"),
                "displayName": optional_text(display_name, "display_name"),
                "attributes": check_json_object(attributes, "attributes"),
                "identities": check_identities(identities, "identities"),
            }
        )
        response = self._client._send(
            "POST",
            "/audience/identify",
            body=body,
            idempotency_key=idempotency_key,
            options=options,
        )
        return parse_field(response, "member", Member)  # type: ignore[no-any-return]

    def get(self, external_user_id: str, **options: Unpack[RequestOptions]) -> Member | None:
        """Return the active member with this id, or ``None`` if there is none (or it was deleted).

        Raises:
            ValueError: ``external_user_id`` is empty.
        """
        path = f"/audience/members/{path_segment(external_user_id, 'external_user_id')}"
        response = self._client._send("GET", path, options=options)
        return parse_field(response, "member", _MEMBER_OR_NONE)  # type: ignore[no-any-return]

    def update(
        self,
        external_user_id: str,
        *,
        display_name: str | NotGiven | None = NOT_GIVEN,
        attributes: Mapping[str, Any] | NotGiven | None = NOT_GIVEN,
        identities: Sequence[IdentityInput] | NotGiven | None = NOT_GIVEN,
        **options: Unpack[RequestOptions],
    ) -> Member | None:
        """Replace only the given fields of a member; ``None`` if the member does not exist.

        Raises:
            ValueError: an empty id, or an identity without ``type``/``value``.
        """
        path = f"/audience/members/{path_segment(external_user_id, 'external_user_id')}"
        body = omit_not_given(
            {
                "displayName": optional_text(display_name, "display_name"),
                "attributes": check_json_object(attributes, "attributes"),
                "identities": check_identities(identities, "identities"),
            }
        )
        response = self._client._send("PUT", path, body=body, options=options)
        return parse_field(response, "member", _MEMBER_OR_NONE)  # type: ignore[no-any-return]

    def delete(self, external_user_id: str, **options: Unpack[RequestOptions]) -> str | None:
        """Soft-delete a member; return its id, or ``None`` if there was no such member.

        Raises:
            ValueError: ``external_user_id`` is empty.
        """
        path = f"/audience/members/{path_segment(external_user_id, 'external_user_id')}"
        response = self._client._send("DELETE", path, options=options)
        return parse_field(response, "id", str | None)  # type: ignore[no-any-return]

    def identify_many(
        self,
        rows: Rows,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        idempotency_key: Callable[[Any], str] | None = None,
    ) -> Iterator[BulkResult[Member]]:
        """Identify many members concurrently; iterate the results in input order.

        Rows are read lazily, ``concurrency`` at most ahead of the result being read, and
        the results come back in input order, one per row, whether it failed or not: a
        failed row never stops the batch. A 429 pauses the whole batch for its
        ``Retry-After`` and lowers the calls in flight, which grow back while calls
        succeed; other retryable failures are retried per row with the client's retry
        settings. Each row keeps one ``Idempotency-Key`` across its retries; give
        ``idempotency_key`` so that re-running the batch (after a crash, from another
        process) sends nothing twice. Without it, a re-run is not deduplicated.

        Args:
            rows: An iterable (or async iterable) of mappings of ``identify``'s keyword
                arguments: ``external_user_id`` (required), ``display_name``,
                ``attributes``, ``identities``, ``idempotency_key``, ``timeout``,
                ``extra_headers``.
            concurrency: Calls in flight at most (32 by default); 429s lower it for a
                while.
            idempotency_key: A function of the row returning its ``Idempotency-Key``.

        Returns:
            An iterator of ``BulkResult[Member]``. A row that is not valid input fails as a
            ``ChimeKitError`` whose ``__cause__`` is the ``ValueError`` or ``TypeError``
            saying why, and sends nothing.

        Raises:
            TypeError: ``rows`` is not iterable, ``concurrency`` is not an int, or
                ``idempotency_key`` is not callable.
            ValueError: ``concurrency`` is below 1.

        Example:
            >>> rows = ({"external_user_id": u.id, "display_name": u.name} for u in users)
            >>> for result in ck.audience.identify_many(  # doctest: +SKIP
            ...     rows, idempotency_key=lambda row: f"import-{row['external_user_id']}"
            ... ):
            ...     if not result.ok:
            ...         print(result.index, result.error)
        """
        return bulk(self._client, IDENTIFY_ROW, self.identify, rows, concurrency, idempotency_key)
