"""Hostile files, rules, query strings and floods: refused up front, bounded, and never a secret in the journal."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest

from emulator import create_app
from emulator.cli import main
from emulator.device.factory import EmulatorOptions, build_gateway
from emulator.http.context import app_context
from emulator.http.faults import MAX_RULES
from emulator.http.journal import Journal
from emulator.serving.server import ServerThread
from tests.unit.test_recording_format import HEADER, lines, response

BOMB = 'a: &a ["x","x","x","x","x","x","x","x","x","x"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(7)
)  # 10**8 strings once expanded, 0.4 KB on disk


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        (BOMB, None, "aliases add more than"),
        ("title: x\nsite: &a [*a]\n", 2, "alias *a refers to itself"),
        ("title: x\nsite: " + "[" * 3000 + "]" * 3000 + "\n", 2, "nested deeper than 32 levels"),
    ],
    ids=["alias bomb", "self reference", "deep nesting"],
)
def test_hostile_scenario_yaml_is_one_line_exit_2_in_bounded_memory(tmp_path, text, line, problem):
    path = tmp_path / "hostile.yaml"
    path.write_text(text, "utf-8")
    # The peak is VmHWM, this process's own high-water mark: ru_maxrss would carry over the RSS of the
    # (large, test-suite) process that forked it, since Linux keeps the larger of the two across exec.
    probe = (
        "import sys\nfrom emulator.cli import main\nrc=main(['scenario','validate',sys.argv[1]])\n"
        "hwm=[l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:')][0]\n"
        "print(hwm, file=sys.stderr)\nsys.exit(rc)"
    )
    done = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True, timeout=60)
    *message, peak_kib = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    where = f"{path}:{line}: " if line else f"{path}: "
    assert len(message) == 1 and message[0].endswith(where + problem) or where + problem in message[0], message
    assert "Traceback" not in done.stderr
    assert int(peak_kib) < 200 * 1024  # the bomb would need gigabytes; a plain start needs ~60 MB


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('{"t": 1e400, "method": "GET", "path": "/api/status", "status": 200, "text": ""}', "out of range"),
        ("[" * 5000 + "]" * 5000, "nested deeper than"),
        (json.dumps(response(0, status=101)), "status 101 is not a final answer"),
        (json.dumps(response(0, status=204)), "a 204 answer cannot carry a body"),
        (json.dumps(response(0, content_type="text/plain\r\nx-evil: 1")), "content_type holds characters"),
        (json.dumps(response(0, body={"x": "\ud800"})), "surrogate"),
    ],
    ids=["infinite time", "deep line", "1xx status", "body on 204", "header injection", "lone surrogate"],
)
def test_a_recording_no_server_could_replay_is_refused_at_load(tmp_path, capsys, monkeypatch, line, problem):
    path = tmp_path / "hostile.jsonl"
    path.write_text(lines(HEADER) + line + "\n", "utf-8")
    monkeypatch.setattr("emulator.cli.listen.run", lambda *a, **k: pytest.fail("a hostile recording was served"))
    assert main(["serve", "--replay", str(path), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{path}:2: " in err and problem in err, err


def test_a_start_the_calendar_cannot_run_on_from_is_refused(capsys):
    for start in ("9999-12-31T23:59:59", "0001-01-01T00:00:00"):
        with pytest.raises(SystemExit) as exit_:
            main(["serve", "--start", start])
        assert exit_.value.code == 2
    assert "must be in the years" in capsys.readouterr().err


# -- control-API rules and query strings ------------------------------------------
def test_a_fault_rule_asking_for_a_body_on_a_bodiless_status_is_refused(client):
    for status in (204, 205, 304):
        rule = {"path": "/api/status", "kind": "status", "status": status, "body": {"x": 1}}
        response_ = client.post("/_emulator/faults", json=rule)
        assert response_.status_code == 400 and "cannot carry a body" in response_.json()["message"]
    assert (
        client.post("/_emulator/faults", json={"path": "/api/status", "kind": "status", "status": 204}).status_code
        == 201
    )
    assert client.get("/api/status").status_code == 204


def test_fault_rules_are_capped_and_the_list_stays_servable(client):
    rule = {"path": "/api/status", "kind": "latency", "latency_ms": 0}
    for _ in range(MAX_RULES):
        assert client.post("/_emulator/faults", json=rule).status_code == 201
    refused = client.post("/_emulator/faults", json=rule)
    assert refused.status_code == 400 and f"at most {MAX_RULES}" in refused.json()["message"]
    assert len(client.get("/_emulator/faults").json()["faults"]) == MAX_RULES


def test_a_non_finite_fault_body_is_refused_and_the_rule_list_keeps_answering(client):
    rule = '{"path": "/api/status", "kind": "status", "status": 200, "body": 1e400}'
    assert (
        client.post("/_emulator/faults", content=rule, headers={"content-type": "application/json"}).status_code == 400
    )
    assert client.get("/_emulator/faults").json() == {"faults": []}


@pytest.mark.parametrize("value", ["²", "٣", "1" * 40, "-1", "1.5"])
def test_journal_query_numbers_that_int_cannot_read_are_a_400(client, value):
    response_ = client.get("/_emulator/requests", params={"limit": value})
    assert response_.status_code == 400 and "whole number" in response_.json()["message"]


def test_a_staged_reserve_is_untouched_by_a_refused_operation_on_1_15(client):
    from tests.support.app import login_1_15

    headers = login_1_15(client)
    before = client.get("/_emulator/state").json()
    body = b'{"real_mode": "self_consumption", "backup_reserve_percent": 1e400}'
    response_ = client.post("/api/operation", content=body, headers={**headers, "content-type": "application/json"})
    assert response_.status_code == 400
    assert client.get("/_emulator/state").json() == before


def test_a_chunked_body_past_the_limit_is_refused_as_it_streams(stack):
    head = b"POST /api/login/Basic HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunk = b"%x\r\n%s\r\n" % (65536, b" " * 65536)
    with ServerThread(create_app(build_gateway(EmulatorOptions(firmware="1.15.0", paused=True)))) as running:
        with socket.create_connection(("127.0.0.1", running.port), timeout=10) as sock:
            sock.sendall(head + chunk + chunk)  # 128 KiB of a body that would go on for ever
            answer = sock.recv(200)
    assert answer.startswith(b"HTTP/1.1 413")  # refused mid-stream, not after reading it all


# -- the journal and the session table -------------------------------------------
def test_unparseable_login_bodies_and_query_strings_keep_no_password(client):
    client.post(
        "/api/login/Basic",
        content=b'{"username": "", "password": "hunter2-secret", ',
        headers={"content-type": "application/json"},
    )
    client.post(
        "/api/login/Basic", content=b"password=hunter2-secret&username=x", headers={"content-type": "text/plain"}
    )
    client.get("/api/status", params={"password": "hunter2-secret", "a": "1"})
    client.post("/api/login/Basic", json={"username": "", "password": "x", "extra": {"password": "hunter2-secret"}})
    journal = client.get("/_emulator/requests").text
    assert "hunter2-secret" not in journal
    assert "a=1" in journal  # what is not secret stays readable


def test_the_journal_caps_bytes_as_well_as_entries():
    journal = Journal(size=1000, max_bytes=100_000)
    for _ in range(500):
        journal.record(0.0, 0.0, "POST", "/api/logging", "", (), "x" * 4000, 200, 1.0, None)
    assert journal.bytes <= 100_000 and 0 < len(journal.query()) < 30
    assert journal.query()[-1].seq == 500


def test_past_the_session_cap_the_oldest_login_ends(make_client):
    client = make_client(firmware="24.4.0")
    app_context(client.app).gateway.logins.sessions.limit = 3

    def login() -> dict[str, str]:
        body = {
            "username": "customer",
            "password": app_context(client.app).gateway.password,
            "email": "",
            "force_sm_off": False,
        }
        return {"Authorization": "Bearer " + client.post("/api/login/Basic", json=body).json()["token"]}

    first, *rest = [login() for _ in range(4)]
    client.cookies.clear()  # only the bearer headers speak
    assert client.get("/api/customer", headers=first).status_code in (401, 403)
    assert all(client.get("/api/customer", headers=h).status_code == 200 for h in rest)
    assert client.get("/_emulator/state").json()["sessions"] == 3
