"""The log says what happened to the gateway -- and never a password or a token."""

from __future__ import annotations

import logging
import re
import subprocess
import sys

import httpx
import pytest

from emulator import running
from tests.support.processes import started, stop

PASSWORD = "hunter2-very-secret"


def _login(client: httpx.Client) -> str:
    response = client.post("/api/login/Basic", json={"username": "customer", "password": PASSWORD, "email": "a@b.c"})
    assert response.status_code == 200
    return str(response.json()["token"])


def test_grid_sitemaster_logins_events_and_faults_are_logged_at_info_without_secrets(caplog):
    caplog.set_level(logging.INFO, logger="teg_emulator")
    with (
        running(scenario="evening-outage", password=PASSWORD, speed=0) as gw,
        httpx.Client(base_url=gw.url, verify=False, timeout=10) as client,
    ):
        token = _login(client)
        bad = client.post("/api/login/Basic", json={"username": "customer", "password": "wrong-" + PASSWORD})
        assert bad.status_code in (401, 422, 429)
        gw.stop_sitemaster()
        gw.run_sitemaster()
        gw.fault("/api/meters/aggregates", "status", preset="config_busy", count=1)
        client.get("/api/meters/aggregates", headers={"Authorization": f"Bearer {token}"})
        gw.advance(18.5 * 3600 + 60)  # the scenario's 18:30 grid failure
        gw.set_grid(True)
    text = caplog.text
    assert "login: 'customer' at " in text and "login refused for 'customer': wrong password" in text
    assert "sitemaster stopped at " in text and "sitemaster running at " in text
    assert re.search(r"fault \S+ \(status\) fired on GET /api/meters/aggregates", text)
    assert re.search(r"scenario event grid_down at 2026-07-\d\dT\S+Z \{'label': 'grid fails'", text)
    assert "grid: SystemGridConnected -> SystemTransitionToIsland" in text
    assert PASSWORD not in text and token not in text


def test_log_level_debug_adds_each_requests_route_and_latency_on_the_cli(tmp_path):
    argv = [sys.executable, "-m", "emulator", "serve", "--port", "0", "--firmware", "24.4.0", "--log-level", "debug"]
    with started([*argv, "--password", PASSWORD, "--speed", "0"], stderr=subprocess.PIPE) as server:
        try:
            assert server.stdout is not None and server.stderr is not None
            url = re.search(r"listening on (https://127\.0\.0\.1:\d+)/", server.stdout.readline())
            assert url
            with httpx.Client(base_url=url.group(1), verify=False, timeout=10) as client:
                login = {"username": "customer", "password": PASSWORD}
                token = client.post("/api/login/Basic", json=login).json()["token"]
                client.get("/api/meters/aggregates", headers={"Authorization": f"Bearer {token}"})
        finally:
            stop(server)  # its whole log, to the end
        log = server.stderr.read()
    assert re.search(
        r"DEBUG teg-emulator: GET /api/meters/aggregates -> 200 in \d+\.\d ms \(route meters\.aggregates[^)]*\)", log
    ), log
    assert "INFO teg-emulator: login: 'customer'" in log
    assert PASSWORD not in log and token not in log  # (the start-up banner on stdout names the password on purpose)


@pytest.mark.parametrize("level", ["warning"])
def test_the_default_level_keeps_quiet(caplog, level):
    caplog.set_level(getattr(logging, level.upper()), logger="teg_emulator")
    with running(firmware="1.15.0", speed=0) as gw:
        gw.set_grid(False)
    assert "grid:" not in caplog.text
