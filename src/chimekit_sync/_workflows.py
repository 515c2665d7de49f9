# GENERATED from src/chimekit_async/_workflows.py by codegen/generate.py: do not edit by hand.
# Edit the async original and run `python codegen/generate.py`.
"""``ck.workflows``: run workflows and follow their runs."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Unpack

from chimekit_core._bulk import DEFAULT_CONCURRENCY, RUN_ROW, BulkResult
from chimekit_core._encoding import path_segment
from chimekit_core._exceptions import APITimeoutError
from chimekit_core._models import WorkflowRun, WorkflowRunRef
from chimekit_core._options import NOT_GIVEN, NotGiven, RequestOptions, omit_not_given
from chimekit_core._retry import DeadlineExceeded
from chimekit_core._validation import check_json_object, check_timeout, require_id

from ._bulk import Rows, bulk
from ._concurrency import sleep
from ._resource import SyncAPIResource
from ._response import to_raw_response

__all__ = ["Workflows", "WorkflowsWithRawResponse"]


class Workflows(SyncAPIResource):
    """``ck.workflows``: queue a workflow run for a member and follow it to completion."""

    @functools.cached_property
    def with_raw_response(self) -> WorkflowsWithRawResponse:
        """The same methods, returning the ``APIResponse`` (status, headers, request id)."""
        return WorkflowsWithRawResponse(self)

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
        return self._post(
            path,
            cast_to=WorkflowRunRef,
            body=body,
            options=options,
            idempotency_key=idempotency_key,
        )

    def get_run(self, run_id: str, **options: Unpack[RequestOptions]) -> WorkflowRun:
        """Fetch a workflow run.

        Raises:
            ValueError: ``run_id`` is empty.
            NotFoundError: no such run.
        """
        path = f"/workflows/runs/{path_segment(run_id, 'run_id')}"
        return self._get(path, cast_to=WorkflowRun, field="run", options=options)

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
        path = f"/workflows/runs/{path_segment(run_id, 'run_id')}"
        total = check_timeout(timeout)
        interval = check_timeout(poll_interval, "poll_interval")
        assert total is not None
        assert interval is not None
        # One deadline bounds every poll, its retries and their backoff, and the waits.
        deadline = time.monotonic() + total
        options: RequestOptions = {}
        if max_retries is not NOT_GIVEN:
            options["max_retries"] = max_retries
        if extra_headers is not None:
            options["extra_headers"] = extra_headers
        status: str | None = None
        while True:
            try:
                run = self._get(
                    path, cast_to=WorkflowRun, field="run", options=options, deadline=deadline
                )
            except DeadlineExceeded as exc:
                raise _not_finished(run_id, timeout, status) from exc
            if run.finished_at is not None:
                return run
            status = run.status
            left = deadline - time.monotonic()
            if left <= 0:
                raise _not_finished(run_id, timeout, status)
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
        ``Retry-After`` and slows it down (fewer calls in flight, a paced rate), which
        grows back while calls succeed; other retryable failures are retried per row with
        the client's retry settings. Each row keeps one ``Idempotency-Key`` across its
        retries; give ``idempotency_key`` so that re-running the batch (after a crash,
        from another process) sends nothing twice. Without it, a re-run is not
        deduplicated. To stop early, close the iterator (a generator: ``aclose()`` in
        async code, ``close()`` in sync code): no more rows are read or sent.

        Args:
            rows: An iterable (or async iterable) of mappings of ``run``'s keyword
                arguments: ``key`` and ``external_user_id`` (required), ``context``,
                ``idempotency_key``, ``timeout``, ``extra_headers``.
            concurrency: Calls in flight at most (8 by default); 429s lower it for a
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


def _not_finished(run_id: str, timeout: float, status: str | None) -> APITimeoutError:
    return APITimeoutError(
        f"workflow run {run_id!r} had not finished after {timeout} s (status {status!r})"
    )


class WorkflowsWithRawResponse:
    """``ck.workflows.with_raw_response``: each method returns an ``APIResponse``.

    ``wait_for_run`` is left out: it makes a request per poll.
    """

    def __init__(self, workflows: Workflows) -> None:
        self.run = to_raw_response(workflows.run)
        self.get_run = to_raw_response(workflows.get_run)
