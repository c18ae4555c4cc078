"""Record a live emulator as if it were a gateway, then serve the recording back: same bodies, same auth, in time order."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pypowerwall
import pytest
from starlette.testclient import TestClient

from emulator import contract, create_app
from emulator.cli import main
from emulator.device.factory import EmulatorOptions, build_gateway
from emulator.device.gateway import Gateway
from emulator.replay import Recording, bundled_recording, create_replay_app, default_endpoints, load_recording
from emulator.serving.server import ServerThread
from emulator.serving.tls import self_signed
from tests.support.paths import ROOT
from tests.support.processes import started

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
START = datetime(2026, 7, 1, 20, 0, tzinfo=UTC)
FAST = ["--interval", "0.05", "--duration", "0.3s"]


@dataclass
class Live:
    gateway: Gateway
    server: ServerThread

    def journal(self, **query: str) -> list[dict]:
        return httpx.get(self.server.url + "/_emulator/requests", params=query, verify=False).json()["requests"]


@contextlib.contextmanager
def live_emulator(firmware: str, **options: Any) -> Iterator[Live]:
    gateway = build_gateway(EmulatorOptions(firmware=firmware, speed=60, start=START, **options))
    tls = self_signed().identity if gateway.facts.uses_tls else None
    with ServerThread(create_app(gateway, tls=tls is not None), tls=tls) as server:
        yield Live(gateway, server)


def record_cli(live: Live, out: Path, *extra: str) -> int:
    return main(
        [
            "record",
            "--gateway-url",
            live.server.url,
            "--password",
            live.gateway.password,
            "--out",
            str(out),
            *FAST,
            *extra,
        ]
    )


FIRMWARES = ("1.15.0", "24.4.0")
Recorded = tuple[Live, Recording]


@pytest.fixture(scope="module")
def recorded_by(tmp_path_factory) -> Iterator[Callable[[str], Recorded]]:
    """A live emulator of a firmware and a 0.3 s recording of it, made once per module."""
    made: dict[str, Recorded] = {}
    with contextlib.ExitStack() as stack:

        def get(firmware: str) -> Recorded:
            if firmware not in made:
                live = stack.enter_context(live_emulator(firmware, powerwalls=2))
                out = tmp_path_factory.mktemp("rec") / f"{firmware}.jsonl"
                assert record_cli(live, out) == 0
                made[firmware] = (live, load_recording(out))
            return made[firmware]

        yield get


@pytest.fixture(params=FIRMWARES)
def recorded(request, recorded_by) -> Recorded:
    return recorded_by(request.param)


def lines_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def replay_client(recording: Recording, **options: Any) -> TestClient:
    return TestClient(create_replay_app(recording, paused=True, **options), raise_server_exceptions=False)


def login(client: TestClient, password: str) -> None:
    response = client.post(
        "/api/login/Basic", json={"username": "customer", "password": password, "email": "a@b.c", "force_sm_off": False}
    )
    assert response.status_code == 200, response.text


# -- recording ---------------------------------------------------------------------
def test_a_recording_validates_against_the_schema_and_holds_the_firmware_read_set(recorded):
    live, recording = recorded
    assert not list(contract.validator("recording.json").iter_errors(lines_of(recording.file)))
    header = recording.header
    assert header.profile == live.gateway.facts.version and header.tls == live.gateway.facts.uses_tls
    assert header.firmware == live.gateway.facts.reported_version.strip()
    assert header.endpoints == default_endpoints(contract.facts_for(header.profile))
    assert {r.path for r in recording.responses} == set(header.endpoints)
    assert all(r.status == 200 and r.method == "GET" for r in recording.responses)
    times = [r.t for r in recording.responses]
    assert times == sorted(times)


def test_polls_are_paced_one_request_at_a_time(recorded):
    live, recording = recorded
    polls = [r.t for r in recording.responses if r.path == "/api/status"]
    interval = recording.header.interval_s
    assert 1 <= len(polls) <= 7  # 0.3 s at 0.05 s: never more than one poll per slot
    assert all(t >= k * interval - 0.002 for k, t in enumerate(polls))


def test_1_15_is_recorded_without_a_login_so_sitemaster_keeps_running(recorded_by):
    live, recording = recorded_by("1.15.0")
    methods = {entry["method"] for entry in live.journal()}
    assert methods == {"GET"}
    assert live.gateway.sitemaster_running and len(live.gateway.logins.sessions) == 0


def test_24_4_is_recorded_with_one_customer_login_and_logs_out_after(recorded_by):
    live, recording = recorded_by("24.4.0")
    assert len(live.journal(method="POST", path="/api/login/Basic")) == 1
    assert {e["method"] for e in live.journal()} == {"GET", "POST"}
    assert live.journal()[-1]["path"] == "/api/logout" and len(live.gateway.logins.sessions) == 0


# -- replaying -----------------------------------------------------------------------
def test_replay_answers_every_recorded_body_at_its_time(recorded):
    live, recording = recorded
    client = replay_client(recording)
    if recording.header.profile == "24.4.0":
        login(client, live.gateway.password)
    for recorded_response in recording.responses:
        state = client.post("/_emulator/replay", json={"position_s": recorded_response.t}).json()
        assert state["position_s"] == pytest.approx(recorded_response.t)
        answer = client.get(recorded_response.path)
        assert answer.status_code == recorded_response.status
        assert answer.json() == recorded_response.body
        assert answer.content == recorded_response.content()


def test_replay_runs_in_time_order_at_the_given_speed(recorded, fake_time):
    live, recording = recorded
    client = TestClient(create_replay_app(recording, speed=2.0, password="pw-12345", monotonic=fake_time))
    if recording.header.profile == "24.4.0":
        login(client, "pw-12345")
    soe = [r for r in recording.responses if r.path == "/api/system_status/soe"]
    seen = []
    for answer in soe:
        fake_time.now = 1000.0 + answer.t / 2.0  # speed 2: half the recorded time
        seen.append(client.get("/api/system_status/soe").json())
    assert seen == [r.body for r in soe]
    assert client.get("/_emulator/replay").json()["position_s"] == pytest.approx(soe[-1].t)


def test_without_loop_the_last_answers_stay_and_with_loop_it_starts_over(recorded, fake_time):
    live, recording = recorded
    first, last = ([r for r in recording.responses if r.path == "/api/status"][i] for i in (0, -1))
    for loop, expected in ((False, last), (True, first)):
        client = TestClient(create_replay_app(recording, loop=loop, monotonic=fake_time))
        period = client.get("/_emulator/replay").json()["period_s"]
        fake_time.tick(period + 0.001)  # just past the end (one interval after the last poll)
        state = client.get("/_emulator/replay").json()
        assert client.get("/api/status").json() == expected.body
        assert (state["finished"], state["loops"]) == ((True, 0) if not loop else (False, 1))


def test_24_4_replay_asks_for_the_login_the_firmware_asks_for():
    client = replay_client(load_recording(bundled_recording()), password="right-one")
    assert client.get("/api/status").status_code == 200  # open on 24.4.0, as on the gateway
    refused = client.get("/api/meters/aggregates")
    assert refused.status_code == 403 and set(refused.json()) == {"code", "error", "message"}
    bad = client.post("/api/login/Basic", json={"username": "customer", "password": "wrong"})
    assert bad.status_code == 401 and bad.json()["error"] == "bad credentials"
    login(client, "right-one")
    assert client.get("/api/meters/aggregates").status_code == 200
    assert client.get("/api/logout").status_code == 204
    assert client.get("/api/meters/aggregates").status_code in (401, 403)


def test_paths_never_recorded_are_404_in_the_firmware_error_shape(recorded):
    live, recording = recorded
    client = replay_client(recording)
    if recording.header.profile == "24.4.0":
        login(client, live.gateway.password)
    for path in ("/api/customer", "/api/meters/aggregates/extra", "/nothing"):
        answer = client.get(path)
        assert answer.status_code == 404
        assert not list(contract.validator("common/error.json").iter_errors(answer.json()))
    assert client.post("/api/meters/aggregates", json={}).status_code == 405


def test_pypowerwall_reads_a_24_4_replay_over_https_in_time_order(tmp_path):
    recording = load_recording(bundled_recording())
    app = create_replay_app(recording, paused=True, password="pw-for-replay", tls=True)
    with ServerThread(app, tls=self_signed().identity) as server:
        pw = pypowerwall.Powerwall(
            f"127.0.0.1:{server.port}", password="pw-for-replay", email="me@example.com", timezone="America/Los_Angeles",
            cachefile=str(tmp_path / ".powerwall"), pwcacheexpire=0,
        )  # fmt: skip
        seen = []
        for position in (0.0, 3.0, 7.5):
            httpx.post(server.url + "/_emulator/replay", json={"position_s": position}, verify=False).raise_for_status()
            soe, aggregates = (
                recorded_at(recording, path, position) for path in ("/api/system_status/soe", "/api/meters/aggregates")
            )
            assert pw.level() == pytest.approx(soe["percentage"])
            assert pw.power()["load"] == pytest.approx(aggregates["load"]["instant_power"])
            seen.append(pw.grid_status())
    assert seen == ["UP", "DOWN", "UP"]  # the bundled recording holds an outage


def recorded_at(recording: Recording, path: str, position: float) -> dict:
    """What a replay should answer: the latest body at or before ``position``, else the first."""
    bodies = [(r.t, r.body) for r in recording.responses if r.path == path]
    earlier = [body for t, body in bodies if t <= position]
    return earlier[-1] if earlier else bodies[0][1]


def test_fault_rules_and_the_journal_work_on_a_replay():
    client = replay_client(load_recording(bundled_recording()))
    rule = client.post("/_emulator/faults", json={"path": "/api/status", "kind": "status", "status": 503, "count": 1})
    assert rule.status_code == 201
    assert client.get("/api/status").status_code == 503
    assert client.get("/api/status").status_code == 200
    assert [e["status"] for e in client.get("/_emulator/requests").json()["requests"]] == [503, 200]


def test_replay_control_answers_match_the_spec_and_refuse_bad_input():
    client = replay_client(load_recording(bundled_recording()))
    ops = {(op.method, op.path): op for op in contract.operations() if op.replay_only}
    assert set(ops) == {("GET", "/_emulator/replay"), ("POST", "/_emulator/replay")}
    for method, body, status in [
        ("GET", None, 200),
        ("POST", {"paused": False, "speed": 10, "loop": True, "position_s": 2, "advance_s": 1}, 200),
        ("POST", {}, 400),
        ("POST", {"speed": -1}, 400),
        ("POST", {"rewind": True}, 400),
    ]:
        answer = client.request(method, "/_emulator/replay", json=body)
        assert answer.status_code == status, answer.text
        name = ops[(method, "/_emulator/replay")].response_schema(status)
        assert name and not list(contract.validator(name).iter_errors(answer.json()))
    state = client.post("/_emulator/replay", json={"paused": True, "position_s": 2.5}).json()
    assert (state["paused"], state["position_s"], state["loop"]) == (True, 2.5, True)


def test_an_expired_session_means_one_fresh_login_not_a_recorded_401(tmp_path, capsys):
    out = tmp_path / "relogin.jsonl"
    with live_emulator("24.4.0") as live:
        expire = {"path": "/api/meters/aggregates", "kind": "status", "preset": "token_expired", "count": 1}
        httpx.post(live.server.url + "/_emulator/faults", json=expire, verify=False).raise_for_status()
        assert record_cli(live, out) == 0
        assert len(live.journal(method="POST", path="/api/login/Basic")) == 2
    assert {r.status for r in load_recording(out).responses} == {200}
    assert "logged in again" in capsys.readouterr().out


def test_a_gateway_that_stops_answering_ends_the_recording_with_one_line_and_a_valid_file(tmp_path, capsys):
    out = tmp_path / "lost.jsonl"
    with live_emulator("1.15.0") as live:
        drop = {"path": "/api/meters/aggregates", "kind": "drop"}
        httpx.post(live.server.url + "/_emulator/faults", json=drop).raise_for_status()
        assert record_cli(live, out, "--endpoints", "/api/meters/aggregates") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "lost the gateway" in err and f"kept 0 responses in {out}" in err
    assert load_recording(out).header.endpoints == ("/api/meters/aggregates",)


def test_endpoints_may_be_given_comma_or_space_separated_and_repeat_once(tmp_path):
    out = tmp_path / "chosen.jsonl"
    with live_emulator("1.15.0") as live:
        assert record_cli(live, out, "--endpoints", "/api/status,/api/system_status/soe", "/api/status") == 0
    recording = load_recording(out)
    assert recording.header.endpoints == ("/api/status", "/api/system_status/soe")
    assert [r.path for r in recording.responses[:2]] == ["/api/status", "/api/system_status/soe"]


# -- redaction ---------------------------------------------------------------------
@pytest.mark.parametrize("firmware", ["1.15.0", "21.44.1", "24.4.0"])
def test_redaction_removes_serials_and_credentials_with_stable_placeholders(firmware, tmp_path):
    out = tmp_path / "redacted.jsonl"
    with live_emulator(firmware, powerwalls=2, gateway_serial="TG1234567890AB", password="secret-pw-1") as live:
        assert record_cli(live, out, "--redact") == 0
        identity = live.gateway.identity
    text = out.read_text("utf-8")
    for secret in (identity.gateway_serial, identity.din, *identity.powerwall_serials, "secret-pw-1", "127.0.0.1"):
        assert secret not in text
    recording = load_recording(out)
    assert recording.header.redacted and recording.header.source is None
    per_poll = {
        tuple(p["PackageSerialNumber"] for p in r.body["powerwalls"])
        for r in recording.responses
        if r.path == "/api/powerwalls"
    }
    assert per_poll == {("SN0001", "SN0002")}  # distinct, and the same in every poll
    if firmware != "1.15.0":
        assert recording.header.gateway["serial"] == "GW0001" and (recording.header.gateway["din"] or "").endswith(
            "--GW0001"
        )
        client = replay_client(recording)  # the replay's default password follows the placeholder serial
        login(client, "W0001")
        assert client.get("/api/powerwalls").json()["gateway_din"] == recording.header.gateway["din"]


# -- the command line: failures, Ctrl-C, serve --replay ----------------------------
def test_unreachable_host_is_one_line_and_a_non_zero_exit(tmp_path, capsys):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    out = tmp_path / "never.jsonl"
    assert main(["record", "--gateway-url", f"http://127.0.0.1:{port}", "--out", str(out), *FAST]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot reach http://127.0.0.1" in err and "Traceback" not in err
    assert not out.exists()


def test_a_gateway_that_never_answers_times_out_in_one_line(tmp_path, capsys):
    with socket.socket() as silent:  # listens, never accepts: the connection opens, no answer comes
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        assert main(["record", "--gateway-url", url, "--timeout", "0.2", "--out", str(tmp_path / "x.jsonl")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "did not answer within 0.2 s" in err


def test_a_wrong_password_is_one_line_and_no_file(tmp_path, capsys):
    with live_emulator("24.4.0") as live:
        out = tmp_path / "x.jsonl"
        assert main(["record", "--gateway-url", live.server.url, "--password", "wrong", "--out", str(out), *FAST]) == 1
        assert main(["record", "--gateway-url", live.server.url, "--out", str(out), *FAST]) == 1
    err = capsys.readouterr().err.splitlines()
    assert "refused the login (401): wrong --password?" in err[0] and "needs a login: give --password" in err[1]
    assert len(err) == 2 and not out.exists()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--gateway-url", "ftp://x"], "is not a gateway URL"),
        (["--gateway-url", "http://x", "--endpoints", "/api/sitemaster/run"], "changes the gateway's state"),
        (["--gateway-url", "http://x", "--endpoints", "/api/status?x=1"], "no query string"),
        (["--gateway-url", "http://x", "--interval", "0.001"], "must be between 0.05"),
        (["--gateway-url", "http://x", "--duration", "soon"], "is not a duration"),
    ],
)
def test_bad_record_flags_are_refused_with_exit_2(args, needle, tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        main(["record", *args, "--out", str(tmp_path / "x.jsonl")])
    assert exited.value.code == 2 and needle in capsys.readouterr().err


def test_an_existing_recording_is_not_overwritten_without_force(tmp_path, capsys):
    out = tmp_path / "kept.jsonl"
    out.write_text("precious\n")
    assert main(["record", "--gateway-url", "http://127.0.0.1:9", "--out", str(out)]) == 2
    assert "exists (add --force" in capsys.readouterr().err and out.read_text() == "precious\n"


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_a_folder_as_out_is_refused_up_front_with_or_without_force(tmp_path, capsys, force):
    assert main(["record", "--gateway-url", "http://127.0.0.1:9", "--out", str(tmp_path), *force]) == 2
    err = capsys.readouterr().err
    assert err == f"teg-emulator: error: cannot write {tmp_path}: it is a folder; name a file inside it\n"


def test_a_disk_that_fills_mid_recording_stops_it_with_one_line_and_a_valid_file(tmp_path):
    """The file-size limit stands in for a full disk: the write that passes it fails (EFBIG, not a signal)."""
    out = tmp_path / "filled.jsonl"
    # -B: under the size limit Python would write this process's bytecode cut short (importlib does not check
    # for a short write) and every later import of the module would fail; a full disk refuses the write instead
    limit = "import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN);"
    limit += "resource.setrlimit(resource.RLIMIT_FSIZE, (16384, 16384));"
    code = limit + "from emulator.cli import main; sys.exit(main(sys.argv[1:]))"
    with live_emulator("1.15.0") as live:
        argv = [sys.executable, "-B", "-c", code, "record", "--gateway-url", live.server.url, "--out", str(out), *FAST]
        done = subprocess.run([*argv[:-1], "1h"], capture_output=True, text=True, timeout=60, env=ENV)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert f"cannot write {out}: File too large (kept " in done.stderr and len(done.stderr.splitlines()) == 1
    assert load_recording(out).responses  # every line written is whole


def _record_argv(url: str, out: Path, *flags: str) -> list[str]:
    return [sys.executable, "-m", "emulator.cli", "record", "--gateway-url", url, "--out", str(out), *flags]


def test_ctrl_c_stops_cleanly_and_keeps_a_valid_file(tmp_path):
    out = tmp_path / "interrupted.jsonl"
    with live_emulator("1.15.0") as live:
        argv = _record_argv(live.server.url, out, "--interval", "0.05", "--duration", "1h")
        with started(argv, stderr=subprocess.PIPE, env=ENV) as proc:
            while proc.poll() is None and (not out.exists() or out.read_text().count("\n") < 25):
                time.sleep(0.05)
            proc.send_signal(signal.SIGINT)
            stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert "stopped by Ctrl-C" in stdout and "Traceback" not in stderr
    assert len(load_recording(out).responses) >= 24


def test_ctrl_c_stops_a_recording_waiting_on_a_gateway_that_does_not_answer(tmp_path):
    """Whatever it is doing: here, waiting (--timeout 300) on a request the gateway holds for 120 s."""
    out = tmp_path / "held.jsonl"
    with live_emulator("1.15.0") as live:
        hold = {"path": "/api/meters/aggregates", "kind": "latency", "latency_ms": 120_000}
        rule = httpx.post(live.server.url + "/_emulator/faults", json=hold).json()
        argv = _record_argv(
            live.server.url, out, "--endpoints", "/api/status,/api/meters/aggregates", "--timeout", "300"
        )
        with started(argv, stderr=subprocess.PIPE, env=ENV) as proc:
            while proc.poll() is None and not _hits(live, rule["id"]):  # the recorder's request is held now
                time.sleep(0.05)
            proc.send_signal(signal.SIGINT)
            stdout, stderr = proc.communicate(timeout=60)  # far less than the 120 s the request is held
    assert proc.returncode == 0, stderr
    assert "stopped by Ctrl-C: 1 responses" in stdout and "Traceback" not in stderr
    assert [r.path for r in load_recording(out).responses] == ["/api/status"]  # what was answered is kept


def _hits(live: Live, rule_id: str) -> int:
    rules = httpx.get(live.server.url + "/_emulator/faults").json()["faults"]
    return next(r["hits"] for r in rules if r["id"] == rule_id)


def test_no_request_is_sent_from_the_main_thread_where_ctrl_c_lands(tmp_path, monkeypatch):
    """Why Ctrl-C once did not stop `record`: KeyboardInterrupt is raised in the main thread between any two
    bytecodes, and inside httpx it could leave the connection pool's lock held (emulator/replay/worker.py);
    the clean-up's close() then waited on it forever. So the recorder's HTTP runs in a worker thread."""
    threads: list[threading.Thread] = []
    send = httpx.Client.send

    def noting_thread(self: httpx.Client, *args: Any, **kwargs: Any) -> httpx.Response:
        threads.append(threading.current_thread())
        return send(self, *args, **kwargs)

    monkeypatch.setattr(httpx.Client, "send", noting_thread)
    with live_emulator("24.4.0") as live:
        assert record_cli(live, tmp_path / "threads.jsonl") == 0
    assert threads and threading.main_thread() not in threads


def test_serve_replay_from_the_command_line_over_https():
    argv = [sys.executable, "-m", "emulator.cli", "serve", "--replay", str(bundled_recording()), "--port", "0"]
    with started([*argv, "--password", "abcde", "--loop"], stderr=subprocess.PIPE, env=ENV) as proc:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(3)]
        url = lines[0].rsplit(" on ", 1)[1].strip().rstrip("/")
        assert url.startswith("https://127.0.0.1:") and "login password: abcde" in lines[1]
        with httpx.Client(base_url=url, verify=False) as client:
            assert client.get("/api/status").json()["version"] == "24.4.0 0fe780c9"
            assert (
                client.post("/api/login/Basic", json={"username": "customer", "password": "abcde"}).status_code == 200
            )
            assert client.get("/api/system_status/soe").json()["percentage"] > 0
            assert client.get("/_emulator/replay").json()["loop"] is True
