"""Hostile pages and networks: cross-origin and rebinding requests, tokens, slow and excess clients, shutdown."""

from __future__ import annotations

import gc
import json
import logging
import os
import resource
import signal
import socket
import ssl
import sys
import threading
import urllib.request
import warnings
from typing import Any

import httpx
import pytest

from emulator import create_app
from emulator.device.factory import EmulatorOptions, build_gateway
from emulator.http.guard import ControlPolicy
from emulator.serving import transport
from emulator.serving.server import ServerThread
from emulator.serving.tls import self_signed
from tests.support.paths import ROOT
from tests.support.processes import found, started

CLI = [sys.executable, "-m", "emulator.cli"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _app(**control: Any):
    gateway = build_gateway(EmulatorOptions(firmware="1.15.0", paused=True))
    return create_app(gateway, control=ControlPolicy.of(**control) if control else None)


@pytest.fixture
def server(stack):
    """A server on each HTTP stack (tests.conftest.stack): every test below that takes it runs on both."""
    with ServerThread(_app()) as running:
        yield running


# -- the control API's door ------------------------------------------------------
def test_a_cross_origin_page_cannot_cut_the_grid_or_reset(server):
    before = httpx.get(server.url + "/_emulator/state").json()
    for path, body in (("/_emulator/grid", {"connected": False}), ("/_emulator/reset", None)):
        response = httpx.post(server.url + path, json=body, headers={"origin": "http://evil.example"})
        assert response.status_code == 403 and response.json()["code"] == 403
        assert "access-control-allow-origin" not in response.headers
    assert httpx.get(server.url + "/_emulator/state").json() == before


def test_the_control_panel_own_origin_is_accepted(server):
    response = httpx.post(server.url + "/_emulator/grid", json={"connected": False}, headers={"origin": server.url})
    assert response.status_code == 200 and response.json()["grid"]["connected"] is False


def test_a_form_or_text_body_to_the_control_api_is_refused_before_anything_changes(server):
    before = httpx.get(server.url + "/_emulator/state").json()
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        response = httpx.post(
            server.url + "/_emulator/grid", content=b'{"connected": false}', headers={"content-type": content_type}
        )
        assert response.status_code == 415, content_type
    assert httpx.get(server.url + "/_emulator/state").json() == before


def test_a_dns_rebinding_host_cannot_read_the_credentials(server):
    response = httpx.get(server.url + "/_emulator/credentials", headers={"host": f"evil.example:{server.port}"})
    assert response.status_code == 421 and "password" not in response.text
    for host in ("localhost", f"127.0.0.1:{server.port}", "gw-001.localhost"):
        assert httpx.get(server.url + "/_emulator/credentials", headers={"host": host}).status_code == 200, host
    assert httpx.get(server.url + "/api/status", headers={"host": "evil.example"}).status_code == 200  # a gateway


def test_a_configured_host_name_is_accepted():
    with ServerThread(_app(hosts=["teg.lan"])) as running:
        assert httpx.get(running.url + "/_emulator/state", headers={"host": "teg.lan:80"}).status_code == 200
        assert httpx.get(running.url + "/_emulator/state", headers={"host": "other.lan"}).status_code == 421


def test_with_a_control_token_the_control_api_needs_it_but_the_gateway_does_not():
    token = "t" * 32
    with ServerThread(_app(token=token)) as running:
        refused = httpx.post(running.url + "/_emulator/reset")
        assert refused.status_code == 401 and "x-emulator-token" in refused.json()["message"]
        assert (
            httpx.get(running.url + "/_emulator/credentials", headers={"x-emulator-token": "x" * 32}).status_code == 401
        )
        assert httpx.post(running.url + "/_emulator/reset", headers={"x-emulator-token": token}).status_code == 200
        assert httpx.get(running.url + "/_emulator/").status_code == 200  # the panel page itself holds no secret
        assert httpx.get(running.url + "/api/status").status_code == 200


def test_serve_with_a_control_token_says_so_in_the_banner_and_requires_it():
    token = "my-control-token-0123456789"
    with started([*CLI, "serve", "--firmware", "1.15.0", "--port", "0", "--control-token", token], env=ENV) as proc:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(6)]
        url = found(r"http://[^ ]+/", lines[0]).rstrip("/")
        assert any(token in line and "X-Emulator-Token" in line for line in lines), lines
        assert any(f"/_emulator/#token={token}" in line for line in lines), lines
        assert httpx.get(url + "/_emulator/state").status_code == 401
        assert httpx.get(url + "/_emulator/state", headers={"x-emulator-token": token}).status_code == 200


def test_off_loopback_a_control_token_is_made_when_none_is_given():
    from emulator.cli import build_parser  # the parser as the CLI builds it
    from emulator.cli.listen import control_policy

    args = build_parser().parse_args(["serve", "--host", "192.0.2.10"])
    assert control_policy(args).token is not None and len(control_policy(args).token or "") >= 24
    assert control_policy(build_parser().parse_args(["serve"])).token is None
    short = build_parser().parse_args(["serve", "--control-token", "short"])
    with pytest.raises(ValueError, match="16 to 256"):
        control_policy(short)


# -- slow, half-open and excess clients ---------------------------------------------
@pytest.fixture
def quick_timeout(monkeypatch):
    monkeypatch.setattr(transport, "REQUEST_TIMEOUT_S", 0.3)
    monkeypatch.setitem(transport.STATS, "slow_requests_closed", 0)
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    logging.getLogger("teg_emulator").addHandler(handler)
    yield records
    logging.getLogger("teg_emulator").removeHandler(handler)


def _half_sent(port: int, payload: bytes, wrap: ssl.SSLContext | None = None) -> bytes:
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock = wrap.wrap_socket(raw, server_hostname="localhost") if wrap else raw
    with sock:
        sock.sendall(payload)
        return sock.recv(100)  # b"" once the server closes it; a socket timeout if it never does


def test_half_sent_requests_are_closed_counted_and_logged_once(server, quick_timeout):
    assert _half_sent(server.port, b"GET /api/status HTTP/1.1\r\nHost: x\r\n") == b""
    assert _half_sent(server.port, b"POST /api/login/Basic HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{") == b""
    assert _half_sent(server.port, b"") == b""  # connected, said nothing
    assert transport.STATS["slow_requests_closed"] == 3
    assert len([r for r in quick_timeout if "did not send a whole request" in r.getMessage()]) == 1
    assert not [r for r in quick_timeout if r.exc_info]
    assert httpx.get(server.url + "/api/status").status_code == 200


def test_half_sent_requests_over_https_are_closed_too(stack, quick_timeout):
    cert = self_signed()
    with ServerThread(_app(), tls=cert.identity) as running:
        context = cert.client_context()
        assert _half_sent(running.port, b"GET /api/status HTTP/1.1\r\nHost: x\r\n", context) == b""
    assert transport.STATS["slow_requests_closed"] == 1


def test_a_stop_drops_a_tls_connection_the_client_keeps_open_and_closes_its_socket(stack):
    """The server answers `Connection: close` and begins a TLS close; the client never sends its close_notify."""
    cert = self_signed()
    context = cert.client_context()
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always", ResourceWarning)
        with ServerThread(_app(), tls=cert.identity) as running:
            kept = context.wrap_socket(
                socket.create_connection(("127.0.0.1", running.port), timeout=5), server_hostname="localhost"
            )
            kept.sendall(b"GET /api/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert kept.recv(1000).startswith(b"HTTP/1.1 200")
        kept.close()
        gc.collect()  # a socket the stop left behind is found here, with a ResourceWarning
    assert [str(w.message) for w in seen if issubclass(w.category, ResourceWarning)] == []


def test_connections_past_the_cap_get_a_clear_503(server, monkeypatch):
    monkeypatch.setattr(transport, "MAX_CONNECTIONS", 2)
    held = [socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in range(2)]
    try:
        extra = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        with extra:
            answer = extra.recv(1000)
        assert answer.startswith(b"HTTP/1.1 503") and b"too many open connections" in answer
    finally:
        for sock in held:
            sock.close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_serve_promptly_while_a_latency_fault_holds_a_request(sig, stack):
    with started([*CLI, "serve", "--firmware", "1.15.0", "--port", "0", *stack.flags], env=ENV) as proc:
        assert proc.stdout is not None
        url = found(r"http://[^ ]+/", proc.stdout.readline()).rstrip("/")
        rule = {"path": "/api/status", "kind": "latency", "latency_ms": 120000}
        request = urllib.request.Request(
            url + "/_emulator/faults", data=json.dumps(rule).encode(), headers={"content-type": "application/json"}
        )
        urllib.request.urlopen(request, timeout=5).close()
        outcome: list[object] = []

        def wait_for_answer() -> None:
            try:
                outcome.append(httpx.get(url + "/api/status", timeout=60).status_code)
            except httpx.HTTPError as exc:  # the server went away: what a stopped emulator does
                outcome.append(exc)

        held = threading.Thread(target=wait_for_answer, daemon=True)
        held.start()
        while not httpx.get(url + "/_emulator/faults").json()["faults"][0]["hits"]:
            pass  # the request is now inside the fault's 120 s wait
        proc.send_signal(sig)
        assert proc.wait(timeout=10) is not None  # without the grace limit it would wait out the 120 s fault
    held.join(timeout=5)
    assert outcome and isinstance(outcome[0], httpx.HTTPError)  # cut off, not answered after the fault


def test_half_open_clients_past_the_file_limit_cost_one_log_line_not_a_flood(tmp_path, stack):
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (128, 128))

    log = tmp_path / "stderr.txt"
    held = []
    # stderr to a file, not a pipe: a flood must not block the server on a full pipe
    with (
        log.open("w") as stderr,
        started(
            [*CLI, "serve", "--firmware", "1.15.0", "--port", "0", *stack.flags],
            stderr=stderr,
            env=ENV,
            preexec_fn=limit,
        ) as proc,
    ):
        assert proc.stdout is not None
        url = found(r"http://[^ ]+/", proc.stdout.readline()).rstrip("/")
        port = int(url.rsplit(":", 1)[1])
        try:
            for _ in range(160):
                sock = socket.create_connection(("127.0.0.1", port), timeout=5)
                sock.sendall(b"GET /api/status HTTP/1.1\r\nHost: x\r\n")
                held.append(sock)
            answer = httpx.get(url + "/api/status", timeout=10)  # over the cap: refused clearly, not left hanging
            assert answer.status_code in (200, 503), answer.text
        finally:
            for sock in held:
                sock.close()
    err = log.read_text()
    assert "Traceback" not in err and err.count("accept failed") <= 1, err[:2000]
