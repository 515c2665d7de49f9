"""EmulatorServer, make_app, EmulatorConfig and the package's public surface."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp import web

import chimekit_emulator
from chimekit_emulator import (
    EmulatorConfig,
    EmulatorControl,
    EmulatorError,
    EmulatorServer,
    FaultRule,
    make_app,
)
from chimekit_emulator._server import root_url

from .harness import Api, child_env

PUBLIC = {
    "EmulatorConfig",
    "EmulatorControl",
    "EmulatorError",
    "EmulatorHandle",
    "EmulatorServer",
    "FaultRule",
    "make_app",
}


def test_public_names() -> None:
    """__all__ is exactly the intended surface and every name resolves, documented."""
    assert set(chimekit_emulator.__all__) == PUBLIC
    for name in PUBLIC:
        value = getattr(chimekit_emulator, name)
        assert value.__doc__, name
        assert name in dir(chimekit_emulator)
    with pytest.raises(AttributeError):
        _ = chimekit_emulator.Store  # type: ignore[attr-defined]


def test_importing_the_package_is_light() -> None:
    """import chimekit_emulator loads no aiohttp until a name that needs it is used."""
    code = (
        "import sys, chimekit_emulator; a = 'aiohttp' in sys.modules; "
        "chimekit_emulator.EmulatorServer; print(a, 'aiohttp' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=child_env(), check=True
    )
    assert result.stdout.split() == ["False", "True"]


def test_context_manager_and_urls() -> None:
    """The server runs inside `with`, exposes its URLs and key, and stops on exit."""
    with EmulatorServer() as server:
        assert server.running
        assert server.base_url == f"http://127.0.0.1:{server.port}/sdk/v1"
        assert server.admin_url == f"http://127.0.0.1:{server.port}/_emulator"
        assert server.secret_key == "sk_test_chimekit"
        assert repr(server) == f"<EmulatorServer {server.base_url}>"
        assert EmulatorControl(server.admin_url).health() == {"status": "ok"}
        port = server.port
    assert not server.running
    with pytest.raises(EmulatorError):
        _ = server.port
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


def test_start_twice_and_stop_twice() -> None:
    """start() on a running server raises; stop() is idempotent; a stopped server restarts."""
    server = EmulatorServer().start()
    try:
        with pytest.raises(EmulatorError, match="already running"):
            server.start()
    finally:
        server.stop()
    server.stop()
    with server:
        assert EmulatorControl(server.admin_url).health() == {"status": "ok"}


def test_memory_state_is_per_start() -> None:
    """Without a data file a restarted server starts empty."""
    server = EmulatorServer()
    with server:
        Api(server.base_url, server.secret_key).identify("u1")
    with server:
        api = Api(server.base_url, server.secret_key)
        assert api.get("/audience/members/u1").json() == {"member": None}


def test_data_file_persists_across_servers(tmp_path: Path) -> None:
    """With data_path state survives a stop and start, and the file is a plain SQLite file."""
    config = EmulatorConfig(data_path=tmp_path / "state.sqlite")
    with EmulatorServer(config) as server:
        Api(server.base_url, server.secret_key).identify("u1", displayName="Ava")
    with EmulatorServer(config) as server:
        member = Api(server.base_url, server.secret_key).get("/audience/members/u1").json()
    assert member["member"]["displayName"] == "Ava"
    connection = sqlite3.connect(tmp_path / "state.sqlite")
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert connection.execute("SELECT external_id FROM members").fetchall() == [("u1",)]
    finally:
        connection.close()


def test_port_in_use_is_an_error() -> None:
    """Starting on a taken port raises EmulatorError."""
    with EmulatorServer() as first:
        taken = EmulatorServer(EmulatorConfig(port=first.port))
        with pytest.raises(EmulatorError, match="could not start"):
            taken.start()
        assert not taken.running


def test_foreign_data_file_is_an_error(tmp_path: Path) -> None:
    """A SQLite file that is not an emulator data file is refused, not modified."""
    path = tmp_path / "other.sqlite"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE accounts (id INTEGER)")
    connection.commit()
    connection.close()
    with pytest.raises(EmulatorError, match="not a chimekit emulator data file"):
        EmulatorServer(EmulatorConfig(data_path=path)).start()


async def test_make_app_serves_with_any_runner() -> None:
    """make_app returns a plain aiohttp application that any runner can serve."""
    runner = web.AppRunner(make_app(EmulatorConfig(secret_keys=["sk_app"])))
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        import aiohttp

        async with (
            aiohttp.ClientSession() as session,
            session.get(
                f"http://127.0.0.1:{port}/sdk/v1/audience/members/u1",
                headers={"Authorization": "Bearer sk_app"},
            ) as response,
        ):
            assert response.status == 200
            assert await response.json() == {"member": None}
    finally:
        await runner.cleanup()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"secret_keys": []}, "secret_keys must name at least one key"),
        ({"secret_keys": "sk_single"}, "secret_keys must be a sequence of keys, not one string"),
        ({"secret_keys": [""]}, "secret_keys must be non-empty strings"),
        ({"port": 70000}, "port must be between 0 and 65535"),
        ({"run_queued_seconds": -1}, "run_queued_seconds must be a number of seconds >= 0"),
        ({"faults": [{"status": 500}]}, "faults must be FaultRule instances"),
    ],
)
def test_config_validation(kwargs: dict, message: str) -> None:
    """EmulatorConfig rejects unusable settings with a message naming the setting."""
    with pytest.raises(ValueError, match=message):
        EmulatorConfig(**kwargs)


def test_config_is_frozen_and_normalised() -> None:
    """Sequences become tuples so a config cannot change behind a running server."""
    keys = ["sk_a"]
    config = EmulatorConfig(secret_keys=keys, faults=[FaultRule(status=500)])
    keys.append("sk_b")
    assert config.secret_keys == ("sk_a",)
    assert isinstance(config.faults, tuple)
    with pytest.raises(AttributeError):
        config.port = 1  # type: ignore[misc]


def test_fault_rule_round_trip() -> None:
    """FaultRule.to_dict gives the JSON form from_dict reads back, defaults left out."""
    rule = FaultRule(method="post", path="^/x$", status=503, headers={"Retry-After": "1"}, times=2)
    assert rule.to_dict() == {
        "method": "POST",
        "path": "^/x$",
        "status": 503,
        "headers": {"Retry-After": "1"},
        "times": 2,
    }
    assert FaultRule.from_dict(rule.to_dict()) == rule
    assert FaultRule.from_dict({"status": 200, "body": None}).status_body is None


def test_root_url_brackets_ipv6() -> None:
    """IPv6 hosts are bracketed in URLs."""
    assert root_url("::1", 8787) == "http://[::1]:8787"
    assert root_url("127.0.0.1", 8787) == "http://127.0.0.1:8787"
