"""Both HTTP stacks keep every protection: httptools + uvloop (the default) and h11 + asyncio (the fallback).

The transport tests in test_hostile_network.py, test_faults.py and here take the ``stack`` fixture
(tests/conftest.py) and run once on each stack.
"""

from __future__ import annotations

import os
import resource
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time

import httpx
import pytest

import emulator
from emulator import create_app
from emulator.device.factory import EmulatorOptions, build_gateway
from emulator.serving.server import ServerThread
from emulator.serving.stack import Stack, choose
from emulator.serving.tls import self_signed
from tests.support.paths import ROOT
from tests.support.processes import found, printed, started

CLI = [sys.executable, "-m", "emulator.cli"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
WITHOUT_FAST_STACK = (
    "import sys; sys.modules['httptools'] = None; sys.modules['uvloop'] = None\n"
    "from emulator.cli import main; sys.exit(main(sys.argv[1:]))"
)
_INSECURE = ssl.create_default_context()
_INSECURE.check_hostname, _INSECURE.verify_mode = False, ssl.CERT_NONE


def _banner(proc: subprocess.Popen[str]) -> list[str]:
    """The start banner up to its last line, the HTTP server's."""
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if "HTTP server:" in line:
            return lines
    raise AssertionError(f"the banner has no HTTP server line: {lines}")


def _url(lines: list[str]) -> str:
    return found(r"https?://[\d.]+:\d+", lines[0])


# -- which stack --------------------------------------------------------------------
def test_serve_runs_on_httptools_and_uvloop_by_default_and_the_banner_says_so():
    with started([*CLI, "serve", "--firmware", "1.15.0", "--port", "0"], env=ENV) as proc:
        lines = _banner(proc)
        assert "uvicorn" in lines[-1] and lines[-1].rstrip().endswith("on httptools + uvloop"), lines[-1]
        assert httpx.get(_url(lines) + "/api/status").status_code == 200


def test_serve_h11_is_still_selectable():
    with started(
        [*CLI, "serve", "--firmware", "1.15.0", "--port", "0", "--http", "h11", "--event-loop", "asyncio"], env=ENV
    ) as proc:
        lines = _banner(proc)
        assert lines[-1].rstrip().endswith("on h11 + asyncio"), lines[-1]
        assert httpx.get(_url(lines) + "/api/status").status_code == 200


def test_without_httptools_and_uvloop_serve_falls_back_to_h11_on_asyncio_and_says_why():
    with started(
        [sys.executable, "-c", WITHOUT_FAST_STACK, "serve", "--firmware", "1.15.0", "--port", "0"], env=ENV
    ) as proc:
        lines = _banner(proc)
        assert "on h11 + asyncio (httptools and uvloop cannot be imported here)" in lines[-1], lines[-1]
        assert httpx.get(_url(lines) + "/api/status").status_code == 200


def test_asking_for_a_stack_that_cannot_be_imported_is_one_line_and_exit_2():
    for flag, name in (("--http", "httptools"), ("--event-loop", "uvloop")):
        done = subprocess.run(
            [sys.executable, "-c", WITHOUT_FAST_STACK, "serve", "--port", "0", flag, name],
            env=ENV,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2 and done.stdout == "", done
        assert done.stderr.count("\n") == 1 and f"{name} cannot be imported here" in done.stderr, done.stderr


def test_choose_takes_each_fast_piece_where_it_imports(monkeypatch):
    assert choose() == Stack("httptools", "uvloop")
    monkeypatch.setitem(sys.modules, "uvloop", None)
    assert choose() == Stack("httptools", "asyncio", ("uvloop",))
    assert choose("h11", "asyncio") == Stack("h11", "asyncio")
    with pytest.raises(ValueError, match="uvloop cannot be imported"):
        choose(loop="uvloop")


def test_the_fixture_serves_on_the_fast_stack():
    with emulator.running(firmware="1.15.0") as gw:
        assert httpx.get(gw.url + "/api/status").status_code == 200
        server = gw.server.server
        assert server.config.http_protocol_class.__name__ == "TrackedHttpToolsProtocol"
        assert type(server.running_loop).__module__.startswith("uvloop")


# -- the two transport findings ---------------------------------------------------------
@pytest.mark.parametrize("scheme", ["http", "https"])
def test_past_the_file_limit_a_client_hears_503_at_once_and_the_log_says_it_once(tmp_path, stack, scheme):
    """ulimit -n 256 and 300 idle TCP connections (no request, no TLS hello): the next client is refused, not kept
    waiting until the idle ones time out; over HTTPS the handshakes in progress count toward the cap."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))

    argv = [*CLI, "serve", "--port", "0", "--firmware", "1.15.0", *stack.flags]
    argv += ["--tls"] if scheme == "https" else []
    log = tmp_path / "stderr.txt"
    held: list[socket.socket] = []
    with log.open("w") as stderr, started(argv, stderr=stderr, env=ENV, preexec_fn=limit) as proc:
        url = printed(proc, r"listening on (https?://[^ ]+)/")
        assert url is not None
        port = int(url.rsplit(":", 1)[1])
        try:
            held += [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(300)]
            # 5 s: the idle connections' own deadline is 10 s, which a client kept waiting would wait out
            with httpx.Client(verify=False, timeout=5) as client:
                answer = client.get(url + "/api/status")
            assert answer.status_code == 503 and "too many open connections" in answer.text
        finally:
            for sock in held:
                sock.close()
    err = log.read_text()
    assert err.count("accept failed") <= 1 and "Traceback" not in err and "ERROR" not in err, err[:2000]


def test_drop_faults_and_a_stop_that_cuts_held_requests_log_no_error_over_https(tmp_path, stack):
    log = tmp_path / "stderr.txt"
    with (
        log.open("w") as stderr,
        started([*CLI, "serve", "--port", "0", "--firmware", "24.4.0", *stack.flags], stderr=stderr, env=ENV) as proc,
    ):
        url = printed(proc, r"listening on (https://[^ ]+)/")
        assert url is not None
        with httpx.Client(base_url=url, verify=False, timeout=10) as client:
            client.post("/_emulator/faults", json={"path": "/api/status", "kind": "drop"})
            for _ in range(10):
                with pytest.raises(httpx.RemoteProtocolError):
                    client.get("/api/status")
            client.post(
                "/_emulator/faults", json={"path": "/api/system_status/soe", "kind": "latency", "latency_ms": 60000}
            )
            outcomes: list[object] = []

            def held() -> None:
                try:
                    outcomes.append(httpx.get(url + "/api/system_status/soe", verify=False, timeout=30).status_code)
                except httpx.HTTPError as exc:
                    outcomes.append(exc)

            threads = [threading.Thread(target=held) for _ in range(2)]
            for thread in threads:
                thread.start()
            for _ in range(3000):  # both requests are inside the 60 s latency (a bound, not a timing: 30 s at most)
                if sum(f["hits"] for f in client.get("/_emulator/faults").json()["faults"]) >= 12:
                    break
                time.sleep(0.01)
            else:
                pytest.fail("the held requests never reached the latency fault")
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)  # uvicorn re-raises the signal it caught: the exit says SIGTERM
        for thread in threads:
            thread.join(timeout=10)
    assert len(outcomes) == 2 and all(isinstance(o, httpx.HTTPError) for o in outcomes), outcomes
    err = log.read_text()
    assert "ERROR" not in err and "Traceback" not in err, err[:2000]


def test_a_drop_fault_drops_a_request_that_names_another_client_in_x_forwarded_for(stack):
    """The connection a drop cuts is the peer's: a header cannot hide it (no proxy-header rewriting)."""
    with emulator.running(firmware="1.15.0") as gw:
        gw.fault("/api/status", "drop", count=1)
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(gw.url + "/api/status", headers={"x-forwarded-for": "10.9.8.7"})
        assert httpx.get(gw.url + "/api/status").status_code == 200


# -- the private key never lands on a disk ---------------------------------------------------------
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_killed_https_server_leaves_no_private_key_behind(tmp_path, sig):
    env = {**ENV, "TMPDIR": str(tmp_path)}
    with started([*CLI, "serve", "--port", "0", "--tls"], env=env) as proc:
        url = printed(proc, r"listening on (https://[^ ]+)/")
        assert url is not None and httpx.get(url + "/api/status", verify=False).status_code == 200
        opened = [os.readlink(f"/proc/{proc.pid}/fd/{fd}") for fd in os.listdir(f"/proc/{proc.pid}/fd")]
        assert not [path for path in opened if "teg-emulator-tls" in path or "key" in path.lower()], opened
        proc.send_signal(sig)
        proc.wait(timeout=10)
    assert list(tmp_path.rglob("*")) == []  # tempfile's folder for this process: nothing was ever written


def test_without_memfd_the_key_file_is_removed_once_loaded(tmp_path, monkeypatch):
    monkeypatch.delattr(os, "memfd_create", raising=False)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    cert = self_signed()
    assert cert.identity.server_context is not None and list(tmp_path.iterdir()) == []
    with ServerThread(
        create_app(build_gateway(EmulatorOptions(firmware="1.15.0", paused=True))), tls=cert.identity
    ) as running:
        with httpx.Client(verify=cert.client_context()) as client:
            assert client.get(running.url.replace("127.0.0.1", "localhost") + "/api/status").status_code == 200


def test_a_user_key_that_does_not_fit_the_certificate_is_one_line_exit_2(tmp_path):
    one, other = self_signed(), self_signed()
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_bytes(one.identity.chain_pem)
    key.write_bytes(other.identity.key_pem)
    done = subprocess.run(
        [*CLI, "serve", "--port", "0", "--cert", str(cert), "--key", str(key)],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert f"cannot use {cert} with {key}" in done.stderr and "Traceback" not in done.stderr


# -- hostile requests: the same answer from both parsers ---------------------------------------------------
HOST = b"Host: x\r\n"
INVALID = 400  # uvicorn's "Invalid HTTP request received.", then the connection closes
SAME = {  # raw request -> the status both stacks answer
    "garbage": (b"FOO\r\n\r\n", INVALID),
    "header without a colon": (b"GET /api/status HTTP/1.1\r\n" + HOST + b"Bad header\r\n\r\n", INVALID),
    "raw UTF-8 in the path": (b"GET /api/st\xc3\xa4tus HTTP/1.1\r\n" + HOST + b"\r\n", INVALID),
    "control byte in the path": (b"GET /api/st\x01atus HTTP/1.1\r\n" + HOST + b"\r\n", INVALID),
    "0xff in the query": (b"GET /api/status?a=\xff HTTP/1.1\r\n" + HOST + b"\r\n", INVALID),
    "letters for a length": (b"POST /api/login/Basic HTTP/1.1\r\n" + HOST + b"Content-Length: abc\r\n\r\n", INVALID),
    "two lengths": (
        b"POST /api/login/Basic HTTP/1.1\r\n" + HOST + b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
        INVALID,
    ),
    "negative length": (b"POST /api/login/Basic HTTP/1.1\r\n" + HOST + b"Content-Length: -1\r\n\r\n", INVALID),
    "NUL in a header": (b"GET /api/status HTTP/1.1\r\n" + HOST + b"X-A: a\x00b\r\n\r\n", INVALID),
    "space before a colon": (b"GET /api/status HTTP/1.1\r\n" + HOST + b"X-A : 1\r\n\r\n", INVALID),
    "space in a header name": (b"GET /api/status HTTP/1.1\r\n" + HOST + b"X A: 1\r\n\r\n", INVALID),
    "empty header name": (b"GET /api/status HTTP/1.1\r\n" + HOST + b": 1\r\n\r\n", INVALID),
    "CR without LF": (b"GET /api/status HTTP/1.1\r" + HOST + b"\r\n", INVALID),
    "gzip transfer coding": (
        b"POST /api/login/Basic HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: gzip\r\n\r\n",
        INVALID,
    ),
    "chunked twice": (
        b"POST /api/login/Basic HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
        INVALID,
    ),
    "a 20 KB query": (b"GET /api/status?" + b"a" * 20_000 + b" HTTP/1.1\r\n" + HOST + b"\r\n", INVALID),
    "a 20 KB header": (b"GET /api/status HTTP/1.1\r\n" + HOST + b"X-A: " + b"a" * 20_000 + b"\r\n\r\n", INVALID),
    "2,000 headers": (
        b"GET /api/status HTTP/1.1\r\n" + HOST + b"".join(b"X-%d: 1\r\n" % i for i in range(2000)) + b"\r\n",
        INVALID,
    ),
    "a 40 KB body": (  # past the head, a body is read whole: only a head is held to 16 KiB
        b"POST /api/login/Basic HTTP/1.1\r\n"
        + HOST
        + b"Content-Type: application/json\r\nContent-Length: 40056\r\n\r\n"
        + b'{"username": "customer", "password": "wrong", "pad": "'
        + b"a" * 40_000
        + b'"}',
        401,
    ),
    "a 12 KB header": (b"GET /api/status HTTP/1.1\r\n" + HOST + b"X-A: " + b"a" * 12_000 + b"\r\n\r\n", 200),
    "HTTP/1.0": (b"GET /api/status HTTP/1.0\r\n\r\n", 200),
    "upgrade to websocket": (
        b"GET /api/status HTTP/1.1\r\n" + HOST + b"Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
        200,
    ),
    "tab in a value": (b"GET /api/status HTTP/1.1\r\n" + HOST + b"X-A: a\tb\r\n\r\n", 200),
    "a body on a GET": (b"GET /api/status HTTP/1.1\r\n" + HOST + b"Content-Length: 5\r\n\r\nhello", 200),
    "escaped UTF-8 in the path": (b"GET /api/st%C3%A4tus HTTP/1.1\r\n" + HOST + b"\r\n", 404),
    "a bad escape": (b"GET /api/%zzstatus HTTP/1.1\r\n" + HOST + b"\r\n", 404),
    "dot segments": (b"GET /api/../api/status HTTP/1.1\r\n" + HOST + b"\r\n", 404),
    "asterisk form": (b"OPTIONS * HTTP/1.1\r\n" + HOST + b"\r\n", 404),
}
DIFFERENT = {  # where llhttp and h11 read HTTP/1.1 differently: (request, httptools' status, h11's status)
    # each side within RFC 9112's choices (or the parser's documented strictness); pinned so a change shows
    "unknown method": (b"FOO /api/status HTTP/1.1\r\n" + HOST + b"\r\n", INVALID, 405),  # llhttp knows a fixed list
    "lower-case method": (b"get /api/status HTTP/1.1\r\n" + HOST + b"\r\n", INVALID, 405),
    "CONNECT": (b"CONNECT x:443 HTTP/1.1\r\n" + HOST + b"\r\n", INVALID, 404),
    "HTTP/1.2": (b"GET /api/status HTTP/1.2\r\n" + HOST + b"\r\n", INVALID, 200),
    "obs-fold": (b"GET /api/status HTTP/1.1\r\n" + HOST + b"X-A: 1\r\n  more\r\n\r\n", INVALID, 200),
    "LF without CR": (b"GET /api/status HTTP/1.1\n" + HOST.replace(b"\r\n", b"\n") + b"\n", INVALID, 200),
    "length and chunked": (
        b"POST /api/login/Basic HTTP/1.1\r\n"
        + HOST
        + b"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        INVALID,
        400,  # h11 reads the chunked body (empty), which the login then refuses
    ),
    "HTTP/0.9 request line": (b"GET /api/status\r\n\r\n", 200, INVALID),
    "no Host": (b"GET /api/status HTTP/1.1\r\n\r\n", 200, INVALID),
    "two Hosts": (b"GET /api/status HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 200, INVALID),
    "empty lines first": (b"\r\n\r\nGET /api/status HTTP/1.1\r\n" + HOST + b"\r\n", 200, INVALID),  # RFC: SHOULD skip
    "a fragment": (b"GET /api/status#frag HTTP/1.1\r\n" + HOST + b"\r\n", 200, 404),
    "absolute form": (b"GET http://x/api/status HTTP/1.1\r\n" + HOST + b"\r\n", 200, 404),  # RFC: MUST accept
}


def _status(port: int, request: bytes) -> int:
    """The status of the first answer to ``request`` (sent in 1 KB pieces, as a slow client would)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        try:
            for offset in range(0, len(request), 1024):
                sock.sendall(request[offset : offset + 1024])
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused mid-way: the answer is already waiting
        head = sock.recv(64)
    return int(head.split(b" ", 2)[1])


@pytest.fixture(scope="module")
def both_servers():
    servers = {
        name: ServerThread(
            create_app(build_gateway(EmulatorOptions(firmware="1.15.0", paused=True))), stack=Stack(http, loop)
        ).start()
        for name, (http, loop) in {"httptools": ("httptools", "uvloop"), "h11": ("h11", "asyncio")}.items()
    }
    yield {name: server.port for name, server in servers.items()}
    for server in servers.values():
        server.stop()


@pytest.mark.parametrize("case", sorted(SAME))
def test_a_hostile_request_gets_the_same_answer_from_both_stacks(both_servers, case):
    request, status = SAME[case]
    assert {name: _status(port, request) for name, port in both_servers.items()} == {"httptools": status, "h11": status}


@pytest.mark.parametrize("case", sorted(DIFFERENT))
def test_where_the_parsers_differ_each_answers_as_pinned_and_never_a_500(both_servers, case):
    request, httptools_status, h11_status = DIFFERENT[case]
    answers = {name: _status(port, request) for name, port in both_servers.items()}
    assert answers == {"httptools": httptools_status, "h11": h11_status}


# -- the TEDAPI's fast path answers exactly as the route does ---------------------------------------------
def test_the_tedapi_fast_path_answers_byte_for_byte_as_the_full_stack():
    """pypowerwall's poll (its exact "Basic" header) takes the fast path; "basic" (also accepted) the router."""
    import base64

    from contract_tests.tedapi import query_request
    from emulator.contract.signed_query import status_query

    query = status_query()
    assert query is not None  # pypowerwall is a test dependency
    with emulator.running(firmware="25.10.1", paused=True, gw_password="FASTPATHPW") as gw:
        token = base64.b64encode(b"Tesla_Energy_Device:FASTPATHPW").decode()
        with httpx.Client(base_url=gw.url, verify=False) as client:
            din = client.get("/tedapi/din", headers={"authorization": f"Basic {token}"}).text
            body = query_request(din, query)
            answers = [
                client.post("/tedapi/v1", content=body, headers={"authorization": f"{scheme} {token}"})
                for scheme in ("Basic", "basic")
            ]
            refused = [
                client.post("/tedapi/v1", content=b"not protobuf", headers={"authorization": f"{scheme} {token}"})
                for scheme in ("Basic", "basic")
            ]
        fast, full = answers
        assert fast.status_code == full.status_code == 200 and fast.content == full.content
        assert [(k, v) for k, v in fast.headers.items() if k != "date"] == [
            (k, v) for k, v in full.headers.items() if k != "date"
        ]
        assert refused[0].status_code == refused[1].status_code == 400 and refused[0].json() == refused[1].json()
        journal = gw.requests(path="/tedapi/v1")
        assert [e["status"] for e in journal] == [200, 200, 400, 400]
        assert journal[0]["body"] == journal[1]["body"] != ""  # the fast path journals the body it read
