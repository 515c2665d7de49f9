"""A small client of the admin API (``/_emulator``), on the standard library alone.

It works against any running emulator: one started by ``EmulatorServer`` in the same
process, the pytest plugin's, or a ``chimekit-emulator`` process elsewhere on the machine.
"""

from __future__ import annotations

import contextlib
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from ._errors import EmulatorError
from ._faults import FaultRule

DEFAULT_TIMEOUT = 10.0


class EmulatorControl:
    """Drive a running emulator through its admin API.

    Args:
        admin_url: The admin root, e.g. ``http://127.0.0.1:8787/_emulator``
            (:attr:`EmulatorServer.admin_url`).
        timeout: Seconds to wait for each admin call.

    Raises:
        ValueError: ``admin_url`` is not an ``http://`` or ``https://`` URL.

    Example:
        Make the next send fail with a 503, then look at what the SDK did::

            control = EmulatorControl(server.admin_url)
            control.add_fault(method="POST", path="^/messages/send$", status=503, times=1)
            ...
            assert [r["status"] for r in control.journal()] == [503, 200]
    """

    def __init__(self, admin_url: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        if urlsplit(admin_url).scheme not in ("http", "https"):
            raise ValueError(f"admin_url must be an http:// or https:// URL, got {admin_url!r}")
        self._admin_url = admin_url.rstrip("/")
        self._timeout = timeout
        # No proxies: the emulator is local, and HTTP(S)_PROXY in the environment must not
        # send admin calls elsewhere.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._admin_url}>"

    @property
    def admin_url(self) -> str:
        """The admin API root."""
        return self._admin_url

    def _call(self, method: str, path: str, payload: Any = None) -> Any:
        url = f"{self._admin_url}/{path}"
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            url, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with self._opener.open(request, timeout=self._timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as exc:
            with exc:
                detail = exc.read().decode("utf-8", errors="replace")
            with contextlib.suppress(ValueError, KeyError, TypeError):
                detail = json.loads(detail)["error"]
            raise EmulatorError(
                f"{method} {url} failed with {exc.code}: {detail}", status=exc.code
            ) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise EmulatorError(f"cannot reach the emulator at {url}: {reason}") from exc
        return json.loads(body) if body else None

    def health(self) -> dict[str, Any]:
        """``{"status": "ok"}`` when the emulator is up.

        Raises:
            EmulatorError: The emulator cannot be reached (this and every other method).
        """
        result: dict[str, Any] = self._call("GET", "health")
        return result

    def reset(self) -> None:
        """Forget everything: members, messages, runs, idempotency keys, journal, faults."""
        self._call("POST", "reset")

    def journal(self) -> list[dict[str, Any]]:
        """Every API request received since the last reset, oldest first.

        Each entry has ``method``, ``path`` (raw, with the query), ``headers`` (Authorization
        redacted), ``body`` (text or ``None``), ``status`` (``None`` when a fault sent none),
        ``fault``, ``faultId``, ``requestId`` and ``time``.
        """
        result: list[dict[str, Any]] = self._call("GET", "journal")["requests"]
        return result

    def clear_journal(self) -> None:
        """Empty the journal."""
        self._call("DELETE", "journal")

    def outbox(self) -> list[dict[str, Any]]:
        """Every message sent, oldest first.

        Each entry has ``messageId``, ``externalUserId``, ``memberId``, ``categoryId``,
        ``content`` (as sent), ``delivery``, ``idempotencyKey`` and ``createdAt``.
        """
        result: list[dict[str, Any]] = self._call("GET", "outbox")["messages"]
        return result

    def members(self) -> list[dict[str, Any]]:
        """Every audience member, deleted ones included (``deleted`` set), oldest first.

        Each entry has ``id``, ``externalUserId``, ``displayName`` and ``deleted``.
        """
        result: list[dict[str, Any]] = self._call("GET", "members")["members"]
        return result

    def add_fault(self, rule: FaultRule | None = None, /, **fields: Any) -> str:
        """Add a fault rule, given as a ``FaultRule`` or as its fields.

        Args:
            rule: A ready-made rule.
            **fields: Or the rule's fields: ``method``, ``path``, ``times``, ``probability``,
                ``seed``, ``delay``, ``status``, ``headers``, ``body``, ``text``, ``fault``,
                ``interval``, ``chunk``, ``drift``, ``field``, ``value``.

        Returns:
            The rule's id (for ``remove_fault``).

        Raises:
            ValueError: The rule is invalid (checked before anything is sent).
            TypeError: Both ``rule`` and fields, or neither, were given.
        """
        if (rule is None) == (not fields):
            raise TypeError("pass either a FaultRule or its fields as keyword arguments")
        if rule is None:
            rule = FaultRule.from_dict(fields)
        fault_id: str = self._call("POST", "faults", rule.to_dict())["id"]
        return fault_id

    def faults(self) -> list[dict[str, Any]]:
        """The active rules in order, each with ``id``, ``remaining`` and ``fired``."""
        result: list[dict[str, Any]] = self._call("GET", "faults")["faults"]
        return result

    def remove_fault(self, fault_id: str) -> None:
        """Remove one rule.

        Raises:
            EmulatorError: No rule has this id (``status`` 404).
        """
        self._call("DELETE", f"faults/{quote(fault_id, safe='')}")

    def clear_faults(self) -> None:
        """Remove every rule."""
        self._call("DELETE", "faults")

    def advance_runs(self, run_id: str | None = None, status: str = "completed") -> list[str]:
        """Move workflow runs on now instead of waiting for the schedule.

        Args:
            run_id: One run; ``None`` for every run that has not finished.
            status: ``"running"`` (start a queued run now), ``"completed"`` or ``"failed"``
                (finish now). Runs never move backwards.

        Returns:
            The ids of the runs that moved.

        Raises:
            EmulatorError: ``run_id`` names no run (``status`` 404), or ``status`` is invalid.
        """
        payload: dict[str, Any] = {"status": status}
        if run_id is not None:
            payload["runId"] = run_id
        moved: list[str] = self._call("POST", "runs/advance", payload)["runs"]
        return moved

    def set_run_schedule(self, queued_seconds: float, running_seconds: float) -> None:
        """Set how long new workflow runs stay ``queued`` and then ``running``.

        Runs already created keep their schedule; a reset restores the configured one.
        """
        self._call(
            "POST",
            "config",
            {"runQueuedSeconds": queued_seconds, "runRunningSeconds": running_seconds},
        )

    def set_rate_limit(self, limit: int | None) -> None:
        """Allow at most ``limit`` requests per second per API key (``None``: no limit).

        Beyond it the API answers 429 with ``Retry-After``. Every key starts a fresh window;
        a reset restores the configured limit (``--rate-limit``).

        Raises:
            ValueError: ``limit`` is not an integer >= 1 or ``None`` (before anything is sent).
        """
        if limit is not None and (
            not isinstance(limit, int) or isinstance(limit, bool) or limit < 1
        ):
            raise ValueError(f"limit must be an integer >= 1 or None, got {limit!r}")
        self._call("POST", "config", {"rateLimit": limit})

    def fixtures(self) -> dict[str, Any]:
        """The declared ``workflows``, ``categories`` and ``templates`` (``None``: unchecked)."""
        result: dict[str, Any] = self._call("GET", "fixtures")
        return result

    def set_fixtures(self, fixtures: Mapping[str, Any]) -> None:
        """Declare the workflows, categories and templates that exist (replacing any before).

        Args:
            fixtures: The JSON form of ``--fixtures``: ``{"workflows": [...], "categories":
                [...], "templates": [...]}``; each section present makes that kind strict
                (unknown ones are refused with a 404), an absent one stays permissive.

        Raises:
            ValueError: ``fixtures`` is invalid (checked before anything is sent).
        """
        from ._fixtures import Fixtures

        Fixtures.from_dict(fixtures)
        self._call("PUT", "fixtures", dict(fixtures))

    def clear_fixtures(self) -> None:
        """Forget the fixtures: any workflow, category and template is accepted again."""
        self._call("DELETE", "fixtures")


class EmulatorHandle(EmulatorControl):
    """What the ``chimekit_emulator`` pytest fixture returns: addresses, a key, and the controls.

    Args:
        base_url: The API root to give the SDK.
        admin_url: The admin API root.
        secret_key: A key the API accepts.
        timeout: Seconds to wait for each admin call.

    Example:
        ::

            def test_welcome(chimekit_emulator):
                client = ChimeKit(chimekit_emulator.secret_key, base_url=chimekit_emulator.base_url)
                ...
                assert chimekit_emulator.outbox()[0]["externalUserId"] == "user_123"
    """

    def __init__(
        self, base_url: str, admin_url: str, secret_key: str, *, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        super().__init__(admin_url, timeout=timeout)
        self._base_url = base_url
        self._secret_key = secret_key

    def __repr__(self) -> str:
        return f"<EmulatorHandle {self._base_url}>"

    @property
    def base_url(self) -> str:
        """The API root, ``http://127.0.0.1:PORT/sdk/v1``."""
        return self._base_url

    @property
    def secret_key(self) -> str:
        """A secret key the API accepts."""
        return self._secret_key
