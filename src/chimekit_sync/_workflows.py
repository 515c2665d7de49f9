# GENERATED from src/chimekit_async/_workflows.py by codegen/generate.py: do not edit by hand.
# Edit the async original and run `python codegen/generate.py`.
"""``ck.workflows``: run workflows and follow their runs."""

from __future__ import annotations

import time
from collections.abc import Iterator, Callable, Mapping
from typing import TYPE_CHECKING, Any, Unpack

from chimekit_core._bulk import DEFAULT_CONCURRENCY, RUN_ROW, BulkResult
from chimekit_core._config import check_timeout
from chimekit_core._encoding import path_segment
from chimekit_core._exceptions import APITimeoutError
from chimekit_core._models import WorkflowRun, WorkflowRunRef
from chimekit_core._options import NOT_GIVEN, NotGiven, RequestOptions, omit_not_given
from chimekit_core._responses import parse_field
from chimekit_core._validation import check_json_object, require_id

from ._bulk import Rows, bulk
from ._concurrency import sleep

if TYPE_CHECKING:
    from ._client import ChimeKit

__all__ = ["Workflows"]


class Workflows:
    """``ck.workflows``: queue a workflow run for a member and follow it to completion."""

    def __init__(self, client: ChimeKit) -> None:
        self._client = client

    def run(
        self,
        key: str,
        external_user_id: str,
        *,
        context: Mapping[str, Any] | NotGiven | None = NOT_GIVEN,
        idempotency_key: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> WorkflowRunRef:
        """Queue a run of workflow ``key`` for a member.

        Args:
            key: The workflow key, e.g. ``"welcome-sequence"``.
            external_user_id: The member (must exist and be active).
            context: JSON merged into the run's context.
            idempotency_key: Sent as ``Idempotency-Key``; one is generated otherwise.
            **options: ``timeout``, ``max_retries``, ``extra_headers``.

        Raises:
            ValueError: an empty key or id.
            NotFoundError: the member does not exist or was deleted.
        """
        path = f"/workflows/{path_segment(key, 'key')}/run"
        body = omit_not_given(
            {
                "externalUserId": require_id(external_user_id, "external_user_id"),
                "context": check_json_object(context, "context"),
            }
        )
        response = self._client._send(
            "POST", path, body=body, idempotency_key=idempotency_key, options=options
        )
        return parse_field(response, None, WorkflowRunRef)  # type: ignore[no-any-return]

    def get_run(self, run_id: str, **options: Unpack[RequestOptions]) -> WorkflowRun:
        """Fetch a workflow run.

        Raises:
            ValueError: ``run_id`` is empty.
            NotFoundError: no such run.
        """
        path = f"/workflows/runs/{path_segment(run_id, 'run_id')}"
        response = self._client._send("GET", path, options=options)
        return parse_field(response, "run", WorkflowRun)  # type: ignore[no-any-return]

    def wait_for_run(
        self,
        run_id: str,
        *,
        timeout: float = 60.0,
        poll_interval: float = 1.0,
        max_retries: int | NotGiven = NOT_GIVEN,
        extra_headers: Mapping[str, str] | None = None,
    ) -> WorkflowRun:
        """Poll a run until it has finished (``finished_at`` is set) and return it.

        Args:
            run_id: The run, from ``run``.
            timeout: Seconds to wait in all.
            poll_interval: Seconds between polls.
            max_retries: Retries for each poll.
            extra_headers: Headers added to each poll.

        Raises:
            APITimeoutError: the run had not finished within ``timeout``.
            NotFoundError: no such run.
        """
        require_id(run_id, "run_id")
        total = check_timeout(timeout)
        interval = check_timeout(poll_interval, "poll_interval")
        assert total is not None
        assert interval is not None
        deadline = time.monotonic() + total
        options: RequestOptions = {}
        if max_retries is not NOT_GIVEN:
            options["max_retries"] = max_retries
        if extra_headers is not None:
            options["extra_headers"] = extra_headers
        while True:
            left = deadline - time.monotonic()
            client_timeout = self._client._config.timeout
            options["timeout"] = max(
                0.001, left if client_timeout is None else min(left, client_timeout)
            )
            run = self.get_run(run_id, **options)
            if run.finished_at is not None:
                return run
            left = deadline - time.monotonic()
            if left <= 0:
                raise APITimeoutError(
                    f"workflow run {run_id!r} had not finished after {timeout} s "
                    f"(status {run.status!r})"
                )
            sleep(min(interval, left))

    def run_many(
        self,
        rows: Rows,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        idempotency_key: Callable[[Any], str] | None = None,
    ) -> Iterator[BulkResult[WorkflowRunRef]]:
        """Queue many workflow runs concurrently; iterate the results in input order.

        Rows are read lazily, ``concurrency`` at most ahead of the result being read, and
        the results come back in input order, one per row, whether it failed or not: a
        failed row never stops the batch. A 429 pauses the whole batch for its
        ``Retry-After`` and lowers the calls in flight, which grow back while calls
        succeed; other retryable failures are retried per row with the client's retry
        settings. Each row keeps one ``Idempotency-Key`` across its retries; give
        ``idempotency_key`` so that re-running the batch (after a crash, from another
        process) sends nothing twice. Without it, a re-run is not deduplicated.

        Args:
            rows: An iterable (or async iterable) of mappings of ``run``'s keyword
                arguments: ``key`` and ``external_user_id`` (required), ``context``,
                ``idempotency_key``, ``timeout``, ``extra_headers``.
            concurrency: Calls in flight at most (32 by default); 429s lower it for a
                while.
            idempotency_key: A function of the row returning its ``Idempotency-Key``.

        Returns:
            An iterator of ``BulkResult[WorkflowRunRef]``. A row that is not valid input fails as a
            ``ChimeKitError`` whose ``__cause__`` is the ``ValueError`` or ``TypeError``
            saying why, and sends nothing.

        Raises:
            TypeError: ``rows`` is not iterable, ``concurrency`` is not an int, or
                ``idempotency_key`` is not callable.
            ValueError: ``concurrency`` is below 1.

        Example:
            >>> rows = ({"key": "welcome", "external_user_id": u} for u in user_ids)
            >>> for result in ck.workflows.run_many(  # doctest: +SKIP
            ...     rows, idempotency_key=lambda row: f"welcome-{row['external_user_id']}"
            ... ):
            ...     print(result.index, result.value or result.error)
        """
        return bulk(self._client, RUN_ROW, self.run, rows, concurrency, idempotency_key)
