"""The httptools protocol's own answers to hot polls (emulator/serving/at_once.py) are the full stack's, byte for byte.

The same gateway is served on httptools + uvloop (where the protocol answers a whole snapshot read itself) and
on h11 + asyncio (every request through ASGI and the middleware). Raw sockets send the same requests to both:
the answers, their order on a pipelined connection, and the journal entries must be the same (header names
compared in lower case: h11 writes them as the app gives them, httptools' send in lower case). On httptools alone,
a kept-alive poll (answered by the protocol) and one that closes its connection (a task, the middleware, uvicorn's
send) must be byte for byte the same but for that ``connection: close``.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from emulator import create_app
from emulator.device.factory import EmulatorOptions, build_gateway
from emulator.serving.server import ServerThread
from emulator.serving.stack import Stack

HOT = ["/api/system_status/soe", "/api/meters/aggregates", "/api/status", "/api/sitemaster", "/api/powerwalls"]
STACKS = {"httptools": ("httptools", "uvloop"), "h11": ("h11", "asyncio")}


@pytest.fixture(scope="module")
def ports() -> Iterator[dict[str, int]]:
    servers = {
        name: ServerThread(
            create_app(build_gateway(EmulatorOptions(firmware="1.15.0", paused=True))), stack=Stack(http, loop)
        ).start()
        for name, (http, loop) in STACKS.items()
    }
    yield {name: server.port for name, server in servers.items()}
    for server in servers.values():
        server.stop()


def _get(path: str, extra: bytes = b"") -> bytes:
    return b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n" + extra + b"\r\n"


def _answers(port: int, wire: bytes, count: int, *, lower: bool = True) -> list[tuple[bytes, list[bytes], bytes]]:
    """``count`` answers (status line, header lines but the date, body) to ``wire``, sent in one write."""
    answers: list[tuple[bytes, list[bytes], bytes]] = []
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(wire)
        buffer = b""
        while len(answers) < count:
            while b"\r\n\r\n" not in buffer:
                chunk = sock.recv(65536)
                assert chunk, f"closed after {len(answers)} answers"
                buffer += chunk
            head, buffer = buffer.split(b"\r\n\r\n", 1)
            status, *lines = head.split(b"\r\n")
            length = next(
                int(v) for k, _, v in (line.partition(b": ") for line in lines) if k.lower() == b"content-length"
            )
            while len(buffer) < length:
                chunk = sock.recv(65536)
                assert chunk, "closed mid-body"
                buffer += chunk
            body, buffer = buffer[:length], buffer[length:]
            named = [(k.lower() if lower else k) + b": " + v for k, _, v in (line.partition(b": ") for line in lines)]
            answers.append((status, [line for line in named if not line.startswith(b"date: ")], body))
    return answers


def _both(ports: dict[str, int], wire: bytes, count: int) -> dict[str, list[tuple[bytes, list[bytes], bytes]]]:
    return {name: _answers(port, wire, count) for name, port in ports.items()}


@pytest.mark.parametrize("path", HOT)
def test_a_hot_poll_gets_the_full_stacks_answer_byte_for_byte(ports, path):
    answers = _both(ports, _get(path) * 3, 3)  # kept alive: the second and third are answered by the protocol
    assert answers["httptools"] == answers["h11"]
    assert answers["httptools"][0][0] == b"HTTP/1.1 200 OK" and answers["httptools"][0][2].startswith(b"{")


@pytest.mark.parametrize("path", HOT)
def test_on_httptools_the_protocols_answer_is_what_the_middleware_and_uvicorns_send_write(ports, path):
    port = ports["httptools"]
    closing = _answers(port, _get(path, b"Connection: close\r\n"), 1, lower=False)  # not kept alive: a task
    status, lines, body = closing[0]
    assert b"connection: close" in lines
    kept = _answers(port, _get(path) * 2, 2, lower=False)
    assert kept == [(status, [line for line in lines if line != b"connection: close"], body)] * 2


def test_pipelined_polls_mixed_with_what_the_full_stack_answers_come_back_in_order(ports):
    wire = b"".join(
        [
            _get("/api/system_status/soe"),
            _get("/api/nowhere"),  # 404 from the router, in a task
            _get("/api/system_status/soe"),
            b"POST /api/login/Basic HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
            _get("/api/status"),
            _get("/api/system_status/soe?x=1"),  # a query: the full stack's
            _get("/api/system_status/grid_status"),
        ]
    )
    answers = _both(ports, wire, 7)
    assert answers["httptools"] == answers["h11"]
    assert [status.split(b" ")[1] for status, _, _ in answers["httptools"]] == [
        b"200",
        b"404",
        b"200",
        b"400",
        b"200",
        b"200",
        b"200",
    ]


def test_a_poll_whose_last_byte_comes_in_a_later_read_is_answered_as_any_other(ports):
    answers: dict[str, bytes] = {}
    for name, port in ports.items():
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.sendall(_get("/api/system_status/soe", b"Content-Length: 5\r\n"))  # the head whole, no body yet
            time.sleep(0.05)  # most often read apart; read together, the test covers the common case instead
            sock.sendall(b"hello")
            answer = b""
            while not answer.endswith(b"}"):
                chunk = sock.recv(65536)
                assert chunk, answer
                answer += chunk
            answers[name] = answer.split(b"\r\n\r\n", 1)[1]
    assert answers["httptools"] == answers["h11"] and answers["h11"].startswith(b'{"percentage"')


def test_the_journal_records_each_poll_the_protocol_answers_as_the_middleware_does(ports):
    entries: dict[str, list[dict[str, Any]]] = {}
    for name, port in ports.items():
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            assert client.delete("/_emulator/requests").status_code in (200, 204)
            _answers(port, _get("/api/system_status/soe", b"X-Poller: one\r\n") * 2, 2)
            journal = client.get("/_emulator/requests", params={"path": "/api/system_status/soe"}).json()["requests"]
        entries[name] = [
            {k: v for k, v in entry.items() if k not in ("seq", "real_time", "latency_ms")} for entry in journal
        ]
    assert entries["httptools"] == entries["h11"] and len(entries["h11"]) == 2
    assert entries["h11"][0]["status"] == 200 and entries["h11"][0]["headers"]["x-poller"] == "one"
