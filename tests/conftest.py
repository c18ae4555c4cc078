"""Shared fixtures for the project's own tests: an in-process emulator behind Starlette's TestClient."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from emulator import create_app
from emulator.device.factory import EmulatorOptions, build_gateway
from tests.support.app import FakeMonotonic


@pytest.fixture(scope="session", autouse=True)
def _collect_garbage_before_the_session_ends() -> Iterator[None]:
    """One last collection while a test is still running, so a leak in a reference cycle still fails the run.

    pyproject makes a ResourceWarning an error; pytest reports one raised in a __del__ in the test that is
    running when the object is collected. An object in a cycle waits for the garbage collector, and if it has
    not run by the end, pytest reports it after the last test -- where an xdist worker loses it. Collected here,
    it fails the last test's teardown instead, naming the object.
    """
    yield
    gc.collect()


@pytest.fixture
def fake_time() -> FakeMonotonic:
    return FakeMonotonic()


@pytest.fixture
def make_client(fake_time: FakeMonotonic) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(**options: Any) -> TestClient:
        options.setdefault("firmware", "1.15.0")
        options.setdefault("paused", True)
        gateway = build_gateway(EmulatorOptions(**options), monotonic=fake_time)
        client = TestClient(create_app(gateway), raise_server_exceptions=False)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    """A 1.15.0 gateway, paused at 06:00 local on 1 July 2026."""
    return make_client()


STACKS = {"fast": ("httptools", "uvloop"), "h11": ("h11", "asyncio")}


class Served:
    """One HTTP stack a transport test runs on: the in-thread servers' default, and `serve`'s flags for it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.http, self.loop = STACKS[name]
        self.flags = ["--http", self.http, "--event-loop", self.loop]


@pytest.fixture(params=sorted(STACKS))
def stack(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Served:
    """Run the test on each stack: httptools + uvloop (the default) and h11 + asyncio (the fallback)."""
    from emulator.serving import stack as stacks

    served = Served(request.param)
    monkeypatch.setattr(stacks, "DEFAULT", (served.http, served.loop))
    return served
