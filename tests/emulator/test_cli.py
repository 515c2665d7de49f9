"""The CLI as users run it: a subprocess that announces itself, keys, data files, faults, signals."""

from __future__ import annotations

import json
import re
import signal
import socket
import time
from pathlib import Path

import pytest
from bodies import FIXTURES, SEND_U1, SUPPRESS_EMAIL, U1

from chimekit_emulator import EmulatorControl

from .harness import EmulatorProcess, http_request_bytes, run_cli, wait_until

LISTENING = re.compile(r"ChimeKit emulator listening on http://127\.0\.0\.1:(\d+)/sdk/v1\n")


def test_prints_one_line_and_serves(emulator_process: type[EmulatorProcess]) -> None:
    """--port 0 picks a port, prints exactly the one announced line, serves, exits 0 on SIGTERM."""
    process = emulator_process()
    match = LISTENING.fullmatch(process.first_line)
    assert match is not None
    assert int(match.group(1)) > 0
    api = process.api()
    api.identify("u1")
    assert api.get("/audience/members/u1").json()["member"]["id"] == "u1"
    assert process.process.stdout is not None
    process.process.terminate()
    assert process.process.wait(15) == 0
    assert process.process.stdout.read() == ""
    process.close()


def test_sigint_shuts_down_cleanly(emulator_process: type[EmulatorProcess]) -> None:
    """SIGINT (Ctrl-C) stops the server with exit status 0 and no traceback."""
    process = emulator_process()
    process.process.send_signal(signal.SIGINT)
    assert process.process.wait(15) == 0
    assert "Traceback" not in process.stderr()
    process.close()


def test_sigterm_with_a_hung_request(
    emulator_process: type[EmulatorProcess], tmp_path: Path
) -> None:
    """A hung request does not keep SIGTERM from ending the process promptly."""
    faults = tmp_path / "faults.json"
    faults.write_text(json.dumps([{"fault": "hang"}]))
    process = emulator_process("--faults", str(faults))
    api = process.api()
    with socket.create_connection((api.host, api.port), timeout=10) as sock:
        sock.sendall(http_request_bytes(api, "GET", "/audience/members/u1"))
        control = EmulatorControl(process.admin_url)
        wait_until(lambda: len(control.journal()) == 1)
        started = time.monotonic()
        assert process.stop() == 0
        assert time.monotonic() - started < 10
        assert sock.recv(1024) == b""


def test_secret_key_flags(emulator_process: type[EmulatorProcess]) -> None:
    """Repeated --secret-key flags are the accepted keys; the default is then refused."""
    process = emulator_process(
        "--secret-key", "sk_one", "--secret-key", "sk_two", env={"CHIMEKIT_SECRET_KEY": "sk_env"}
    )
    assert process.api("sk_one").get("/audience/members/x").status == 200
    assert process.api("sk_two").get("/audience/members/x").status == 200
    assert process.api("sk_env").get("/audience/members/x").status == 401
    assert process.api().get("/audience/members/x").status == 401


def test_secret_key_from_env(emulator_process: type[EmulatorProcess]) -> None:
    """Without flags CHIMEKIT_SECRET_KEY is the accepted key."""
    process = emulator_process(env={"CHIMEKIT_SECRET_KEY": "sk_env"})
    assert process.api("sk_env").get("/audience/members/x").status == 200
    assert process.api().get("/audience/members/x").status == 401


def test_default_secret_key(emulator_process: type[EmulatorProcess]) -> None:
    """Without flags or env the accepted key is sk_test_chimekit."""
    process = emulator_process(env={"CHIMEKIT_SECRET_KEY": None})
    assert process.api("sk_test_chimekit").get("/audience/members/x").status == 200
    assert process.api("other").get("/audience/members/x").status == 401


def test_run_schedule_flags(emulator_process: type[EmulatorProcess]) -> None:
    """--run-queued-seconds/--run-running-seconds set the schedule (0 completes at once)."""
    process = emulator_process("--run-queued-seconds", "0", "--run-running-seconds", "0")
    api = process.api()
    api.identify("u1")
    run_id = api.post("/workflows/w/run", U1).json()["runId"]
    assert api.get(f"/workflows/runs/{run_id}").json()["run"]["status"] == "completed"
    config = api.get("/config", prefix="/_emulator", key=None).json()
    assert config == {"runQueuedSeconds": 0.0, "runRunningSeconds": 0.0, "rateLimit": None}


def test_faults_file(emulator_process: type[EmulatorProcess], tmp_path: Path) -> None:
    """--faults FILE.json loads a list of rules active from the first request."""
    faults = tmp_path / "faults.json"
    faults.write_text(
        json.dumps([{"method": "GET", "path": "^/audience/members/", "status": 503, "times": 1}])
    )
    api = emulator_process("--faults", str(faults)).api()
    assert [api.get("/audience/members/u1").status for _ in range(2)] == [503, 200]


def test_bad_faults_file_exits_2(tmp_path: Path) -> None:
    """An invalid --faults file stops the CLI with status 2 and a message naming the problem."""
    faults = tmp_path / "faults.json"
    faults.write_text(json.dumps([{"status": 503}, {"fault": "boom"}]))
    result = run_cli("--port", "0", "--faults", str(faults))
    assert result.returncode == 2
    assert "rule 1: fault must be one of" in result.stderr
    assert result.stdout == ""
    missing = run_cli("--port", "0", "--faults", str(tmp_path / "missing.json"))
    assert missing.returncode == 2


def test_port_in_use_exits_1() -> None:
    """A port that is taken makes the CLI exit 1 with an error on stderr."""
    with socket.create_server(("127.0.0.1", 0)) as taken:
        result = run_cli("--port", str(taken.getsockname()[1]))
    assert result.returncode == 1
    assert result.stderr.startswith("chimekit-emulator: error:")


def test_unusable_data_path_exits_1(tmp_path: Path) -> None:
    """A --data path in a missing directory or of another format exits 1 with the reason."""
    missing = run_cli("--port", "0", "--data", str(tmp_path / "no" / "such.sqlite"))
    assert missing.returncode == 1
    assert "unable to open database file" in missing.stderr
    foreign = tmp_path / "foreign.sqlite"
    foreign.write_text("this is not a database, just text that is long enough" * 40)
    result = run_cli("--port", "0", "--data", str(foreign))
    assert result.returncode == 1
    assert "chimekit-emulator: error:" in result.stderr


def test_data_survives_a_restart(emulator_process: type[EmulatorProcess], tmp_path: Path) -> None:
    """With --data, members, suppressions, messages, runs and idempotency keys survive a restart."""
    data = str(tmp_path / "state.sqlite")
    api = emulator_process("--data", data, "--run-queued-seconds", "3600").api()
    api.identify("u1", displayName="Ava")
    suppression = api.post("/audience/members/u1/suppressions", SUPPRESS_EMAIL).json()[
        "suppression"
    ]
    sent = api.send("u1", headers={"Idempotency-Key": "k1"})
    run_id = api.post("/workflows/w/run", U1).json()["runId"]
    api.identify("gone")
    api.delete("/audience/members/gone")

    restarted = emulator_process("--data", data).api()
    assert restarted.get("/audience/members/u1").json()["member"]["displayName"] == "Ava"
    assert restarted.get("/audience/members/gone").json() == {"member": None}
    listed = restarted.get("/audience/members/u1/suppressions").json()["suppressions"]
    assert listed == [suppression]
    message_id = sent.json()["message"]["id"]
    assert restarted.get(f"/messages/{message_id}").status == 200
    assert restarted.get(f"/workflows/runs/{run_id}").json()["run"]["status"] == "queued"
    replay = restarted.send("u1", headers={"Idempotency-Key": "k1"})
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.body == sent.body


def test_kill_9_loses_nothing_and_keys_still_replay(
    emulator_process: type[EmulatorProcess], tmp_path: Path
) -> None:
    """--data, kill -9 right after the 200s, restart: every message is there, and a send
    re-run with an old Idempotency-Key is a replay, so the outbox holds each message once."""
    data = str(tmp_path / "state.sqlite")
    first = emulator_process("--data", data)
    api = first.api()
    api.identify("u1")
    acknowledged = [
        api.post("/messages/send", SEND_U1, headers={"Idempotency-Key": f"order-{n}"})
        for n in range(5)
    ]
    assert all(response.status == 200 for response in acknowledged)
    first.kill()

    restarted = emulator_process("--data", data)
    api = restarted.api()
    listed = api.get("/messages/members/u1/messages").json()
    assert listed["pagination"]["totalCount"] == 5
    ids = [item["message"]["id"] for item in listed["messages"]]
    assert ids == [r.json()["message"]["id"] for r in reversed(acknowledged)]
    again = api.post("/messages/send", SEND_U1, headers={"Idempotency-Key": "order-4"})
    assert (again.status, again.headers["Idempotent-Replayed"]) == (200, "true")
    assert again.body == acknowledged[-1].body
    outbox = EmulatorControl(restarted.admin_url).outbox()
    assert [(m["messageId"], m["idempotencyKey"]) for m in outbox] == [
        (r.json()["message"]["id"], f"order-{n}") for n, r in enumerate(acknowledged)
    ]


def test_help_mentions_every_option() -> None:
    """--help documents the options."""
    result = run_cli("--help")
    assert result.returncode == 0
    for option in (
        "--host",
        "--port",
        "--secret-key",
        "--data",
        "--faults",
        "--run-queued-seconds",
        "--run-running-seconds",
        "--rate-limit",
        "--fixtures",
    ):
        assert option in result.stdout


def test_rate_limit_and_fixtures_flags(
    emulator_process: type[EmulatorProcess], tmp_path: Path
) -> None:
    """--rate-limit 3/s refuses the 4th request of a burst; --fixtures makes typos a 404."""
    fixtures = tmp_path / "fixtures.json"
    fixtures.write_text(json.dumps(FIXTURES))
    process = emulator_process("--rate-limit", "3/s", "--fixtures", str(fixtures))
    api = process.api()
    api.identify("u1")
    statuses = [api.post(f"/workflows/{key}/run", U1).status for key in ("digest", "x", "y")]
    assert statuses == [200, 404, 429]
    config = EmulatorControl(process.admin_url)._call("GET", "config")
    assert config["rateLimit"] == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rate-limit", "0"], "argument --rate-limit: expected a whole number of requests >= 1"),
        (["--rate-limit", "fast"], "argument --rate-limit: expected a whole number of requests"),
        (["--fixtures", "{missing}"], "--fixtures {missing}: [Errno 2] No such file"),
        (["--fixtures", "{bad}"], "--fixtures {bad}: workflows must be a list"),
    ],
)
def test_bad_rate_limit_or_fixtures_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    """A bad --rate-limit or --fixtures stops the CLI with status 2 and says what is wrong."""
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"workflows": "welcome"}))
    names = {"missing": str(tmp_path / "missing.json"), "bad": str(bad)}
    result = run_cli("--port", "0", *(arg.format(**names) for arg in args))
    assert result.returncode == 2
    assert message.format(**names) in result.stderr
    assert result.stdout == ""
