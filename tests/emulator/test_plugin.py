"""The pytest plugin, used the way a user's test suite uses it."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

from .harness import child_env

if TYPE_CHECKING:
    import pytest

USER_TESTS = """
import json
import urllib.request

import aiohttp


def call(handle, method, path, body=None):
    request = urllib.request.Request(
        handle.base_url + path,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Authorization": f"Bearer {handle.secret_key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def test_send_lands_in_the_outbox(chimekit_emulator):
    call(chimekit_emulator, "POST", "/audience/identify", {"externalUserId": "u1"})
    call(chimekit_emulator, "POST", "/messages/send",
         {"externalUserId": "u1", "content": {"in_app": {"title": "Hi"}}})
    (message,) = chimekit_emulator.outbox()
    assert message["externalUserId"] == "u1"
    assert [entry["status"] for entry in chimekit_emulator.journal()] == [200, 200]


def test_each_test_starts_empty(chimekit_emulator):
    assert chimekit_emulator.outbox() == []
    assert chimekit_emulator.journal() == []
    assert call(chimekit_emulator, "GET", "/audience/members/u1") == {"member": None}


def test_faults_are_per_test(chimekit_emulator):
    chimekit_emulator.add_fault(path="^/audience/members/", status=503)
    assert chimekit_emulator.faults()


def test_faults_from_the_previous_test_are_gone(chimekit_emulator):
    assert chimekit_emulator.faults() == []


def test_one_server_per_session(chimekit_emulator, chimekit_emulator_server):
    assert chimekit_emulator.base_url == chimekit_emulator_server.base_url
    assert chimekit_emulator.admin_url == chimekit_emulator_server.admin_url
    assert chimekit_emulator.secret_key == chimekit_emulator_server.secret_key


async def test_async_user(chimekit_emulator):
    headers = {"Authorization": f"Bearer {chimekit_emulator.secret_key}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        async with session.post(
            chimekit_emulator.base_url + "/audience/identify", json={"externalUserId": "a"}
        ) as response:
            assert response.status == 200
    assert chimekit_emulator.journal()[0]["path"] == "/sdk/v1/audience/identify"
"""

USER_INI = """
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
filterwarnings = error
"""


def plugin_args() -> list[str]:
    """``-p chimekit_emulator._plugin`` until chimekit is installed with its entry point."""
    installed = any(ep.name == "chimekit" for ep in entry_points(group="pytest11"))
    return [] if installed else ["-p", "chimekit_emulator._plugin"]


def test_user_suite_with_the_fixture(pytester: pytest.Pytester) -> None:
    """A user's test file gets a running, per-test reset emulator from the fixture."""
    pytester.makeini(USER_INI)
    pytester.makepyfile(test_user_suite=USER_TESTS)
    result = pytester.runpytest(*plugin_args())
    result.assert_outcomes(passed=6)


def test_fixtures_are_listed(pytester: pytest.Pytester) -> None:
    """pytest --fixtures shows both fixtures with their docstrings."""
    pytester.makeini(USER_INI)
    result = pytester.runpytest("--fixtures", *plugin_args())
    result.stdout.fnmatch_lines(
        ["chimekit_emulator_server*", "*A ChimeKit emulator for the whole test session*"]
    )
    result.stdout.fnmatch_lines(["chimekit_emulator *", "*reset for this test*"])


def test_importing_the_plugin_is_light() -> None:
    """Importing the plugin (as pytest does at start-up) loads neither aiohttp nor the SDK."""
    code = (
        "import sys, chimekit_emulator._plugin; "
        "print(sorted(m for m in ('aiohttp', 'chimekit_async', 'chimekit_sync', "
        "'chimekit_emulator._server', 'chimekit_emulator._app') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=child_env(),
        check=True,
        timeout=30,
    )
    assert result.stdout.strip() == "[]"
