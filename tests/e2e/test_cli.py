"""`teg-emulator` as a user types it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from typing import Any

import pytest

from tests.support.paths import ROOT
from tests.support.processes import found, started

CLI = [sys.executable, "-m", "emulator.cli"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=60, env=ENV)


@pytest.fixture
def served():
    """`teg-emulator serve` on a free port at speed 60; yields (url, printed lines)."""
    argv = [
        *CLI,
        "serve",
        "--firmware",
        "1.15.0",
        "--port",
        "0",
        "--firmware",
        "1.15.0",
        "--gateway-serial",
        "T123456789",
        "--speed",
        "60",
    ]
    with started(argv, stderr=subprocess.PIPE, env=ENV) as proc:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(3)]
        url = found(r"http://[^ ]+/", lines[0])
        yield url.rstrip("/"), lines


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def post_json(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, json.loads(response.read())


def test_serve_prints_the_url_and_password_and_binds_loopback(served):
    url, lines = served
    assert url.startswith("http://127.0.0.1:")
    assert "login password: ST123456789" in lines[1]


def test_served_values_move_with_sim_time_at_speed_60(served):
    url, _ = served
    first = json.loads(get(url + "/_emulator/state")[1])
    time.sleep(0.3)
    second = json.loads(get(url + "/_emulator/state")[1])
    assert second["sim_time_s"] - first["sim_time_s"] >= 60 * 0.25
    status, body = get(url + "/api/meters/aggregates")
    meters = json.loads(body)
    assert status == 200
    assert meters["load"]["instant_power"] == pytest.approx(
        meters["site"]["instant_power"] + meters["battery"]["instant_power"] + meters["solar"]["instant_power"]
    )


def test_served_login_stops_sitemaster_until_run(served):
    url, _ = served
    status, body = post_json(
        url + "/api/login/Basic", {"username": "", "password": "ST123456789", "force_sm_off": False}
    )
    assert status == 200 and body["token"]
    assert get(url + "/api/meters/aggregates") == (502, b"")
    assert get(url + "/api/sitemaster/run")[0] == 202
    assert get(url + "/api/meters/aggregates")[0] == 200


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["serve", "--port", "http"], "--port"),
        (["serve", "--port", "70000"], "--port"),
        (["serve", "--speed", "-1"], "--speed"),
        (["serve", "--firmware", "2.0"], "--firmware"),
        (["serve", "--powerwalls", "0"], "--powerwalls"),
        (["serve", "--soe", "101"], "--soe"),
        (["serve", "--start", "yesterday"], "--start"),
        (["serve", "--timezone", "Mars/Olympus"], "--timezone"),
        (["serve", "--gateway-serial", "bad serial!"], "--gateway-serial"),
        (["serve", "--bogus"], "--bogus"),
        (["launch"], "launch"),
    ],
)
def test_bad_flags_get_one_line_and_exit_code_2(args, needle):
    result = run_cli(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "refusal"),
    [
        (["serve", "--seed", "2147483648"], "argument --seed: 2147483648 must be between 0 and 2147483647"),
        (["serve", "--powerwalls", "1.5"], "argument --powerwalls: '1.5' is not a whole number"),
        (["serve", "--soe", "nan"], "argument --soe: nan must be between 0 and 100"),
        (["serve", "--workers", "0"], "argument --workers: 0 must be between 1 and 1024"),
        (["serve", "--port", "-1"], "argument --port: -1 must be between 0 and 65535"),
        (["verify", "--pace", "inf"], "argument --pace: inf must be between 0 and 60"),
        (["record", "--interval", "soon"], "argument --interval: 'soon' is not a number"),
        (["scenario", "run", "x", "--resolution", "1e9"], "argument --resolution: 1e9 must be between 1 and 86400"),
    ],
)
def test_number_flags_of_every_command_word_a_refusal_alike(args, refusal, capsys):
    """Option-derived flags (--seed, --soe) and each command's own (--pace, --interval) share one number parser."""
    from emulator.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(args)
    assert exit_.value.code == 2
    assert capsys.readouterr().err.strip().splitlines()[-1].endswith(f"error: {refusal}")


def test_a_port_in_use_is_a_clear_error(served):
    url, _ = served
    port = url.rsplit(":", 1)[1]
    result = run_cli("serve", "--port", port)
    assert result.returncode == 2
    assert "cannot listen" in result.stderr and "Traceback" not in result.stderr


def test_newer_firmware_serves_https_with_a_self_signed_certificate():
    import ssl

    with started(
        [*CLI, "serve", "--firmware", "1.15.0", "--port", "0", "--firmware", "24.4.0", "--password", "s3cret"], env=ENV
    ) as proc:
        assert proc.stdout is not None
        first, second = proc.stdout.readline(), proc.stdout.readline()
        url = found(r"https://[^ ]+/", first).rstrip("/")
        assert "login password: s3cret" in second
        insecure = ssl.create_default_context()
        insecure.check_hostname, insecure.verify_mode = False, ssl.CERT_NONE
        with urllib.request.urlopen(url + "/api/status", context=insecure, timeout=5) as response:
            assert json.loads(response.read())["version"].startswith("24.4.0")


def test_serve_firmware_21_44_1_answers_vitals_as_protobuf_over_https():
    import ssl

    from emulator.firmware.vitals import vitals_pb2

    pb: Any = vitals_pb2  # protoc's classes are made at import time: no types to check

    with started(
        [*CLI, "serve", "--firmware", "1.15.0", "--port", "0", "--firmware", "21.44.1", "--password", "s3cret"], env=ENV
    ) as proc:
        assert proc.stdout is not None
        url = found(r"https://[^ ]+/", proc.stdout.readline()).rstrip("/")
        insecure = ssl.create_default_context()
        insecure.check_hostname, insecure.verify_mode = False, ssl.CERT_NONE
        login = urllib.request.Request(
            url + "/api/login/Basic",
            data=json.dumps({"username": "customer", "password": "s3cret", "email": ""}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(login, context=insecure, timeout=5) as response:
            token = json.loads(response.read())["token"]
        vitals = urllib.request.Request(url + "/api/devices/vitals", headers={"Authorization": "Bearer " + token})
        with urllib.request.urlopen(vitals, context=insecure, timeout=5) as response:
            assert response.headers["Content-Type"] == "application/octet-stream"
            message = pb.DevicesWithVitals.FromString(response.read())
        assert message.devices[0].device.device.din.value.startswith("STSTSM--")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["serve", "--cert", "/no/such.pem", "--key", "/no/such.pem"], "--cert"),
        (["serve", "--tls", "--cert", "README.md", "--key", "README.md"], "cannot use README.md"),
        (["serve", "--tls", "--cert", "README.md"], "--cert and --key go together"),
        (["serve", "--tls", "--no-tls"], "--no-tls"),
        (["serve", "--login-throttle", "0"], "--login-throttle"),
    ],
)
def test_bad_tls_and_throttle_flags_are_refused(args, needle):
    result = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=60, env=ENV, cwd=ROOT)
    assert result.returncode == 2
    assert needle in result.stderr and len(result.stderr.strip().splitlines()) == 1


def _fault_pattern(*flags: str) -> list[int]:
    """The statuses 40 requests see under a 50 % fault rule, on a server started with ``flags``."""
    with started([*CLI, "serve", "--firmware", "1.15.0", "--port", "0", "--speed", "0", *flags], env=ENV) as proc:
        assert proc.stdout is not None
        url = found(r"http://[^ ]+/", proc.stdout.readline()).rstrip("/")
        rule = {"path": "/api/status", "kind": "status", "status": 503, "probability": 0.5}
        assert post_json(url + "/_emulator/faults", rule)[0] == 201
        return [get(url + "/api/status")[0] for _ in range(40)]


def test_fault_seed_makes_probabilistic_faults_repeat_whatever_the_site_seed():
    first = _fault_pattern("--seed", "1", "--fault-seed", "7")
    assert first == _fault_pattern("--seed", "2", "--fault-seed", "7")
    assert 503 in first and 200 in first
    assert first != _fault_pattern("--seed", "1", "--fault-seed", "8")
