"""What emulator/serving relies on inside uvicorn, checked by name: a uvicorn release that moves it fails here, loudly.

serving/ subclasses uvicorn's two HTTP/1.1 protocols (transport.Protections, h11_protocol,
httptools_protocol) and its Server (gate.GatedServer), and filters two of its log lines
(serving/logs.py). pyproject bounds uvicorn to the minor version these were written against; this
file is what to run, and fix, before moving that bound.
"""

from __future__ import annotations

import inspect
import re
import tomllib
from importlib.metadata import version

import h11
import pytest
import uvicorn
from packaging.requirements import Requirement
from uvicorn.protocols.http import h11_impl, httptools_impl
from uvicorn.server import Server, ServerState

from emulator.serving import httptools_protocol, logs
from tests.support.paths import ROOT


def _pin(name: str) -> Requirement:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["dependencies"]
    return next(r for r in map(Requirement, dependencies) if r.name == name)


def test_the_installed_uvicorn_is_within_the_pinned_minor_version():
    pin = _pin("uvicorn")
    assert version("uvicorn") in pin.specifier, f"uvicorn {version('uvicorn')} is outside {pin}"
    upper = [s for s in pin.specifier if s.operator == "<"]
    assert upper, f"{pin}: serving/ subclasses uvicorn's internals, so the pin needs an upper bound"


def _assigned(cls: type) -> set[str]:
    """The attributes a class's __init__ sets on self."""
    return set(re.findall(r"self\.(\w+)\s*(?::[^=\n]+)?=", inspect.getsource(cls.__init__)))  # type: ignore[misc]


@pytest.mark.parametrize("protocol", [h11_impl.H11Protocol, httptools_impl.HttpToolsProtocol])
def test_each_protocol_has_what_the_protections_use(protocol):
    assert {"transport", "connections", "loop", "server", "client", "cycle", "logger"} <= _assigned(protocol)
    for method in ("connection_made", "data_received", "connection_lost", "on_response_complete", "shutdown"):
        assert callable(getattr(protocol, method)), method
    cycle = h11_impl.RequestResponseCycle if protocol is h11_impl.H11Protocol else httptools_impl.RequestResponseCycle
    assert {"disconnected", "response_complete", "message_event"} <= _assigned(cycle)
    # drop() marks the cycle disconnected so that its end is not logged as an error: the check it relies on
    assert "not self.response_started and not self.disconnected" in inspect.getsource(cycle.run_asgi)


def test_the_h11_protocol_exposes_its_connection_state():
    assert "conn" in _assigned(h11_impl.H11Protocol)
    assert {h11.IDLE, h11.SEND_BODY, h11.DONE}  # the states TrackedH11Protocol reads


def test_the_httptools_protocol_has_the_parser_callbacks_and_400_it_is_given():
    protocol = httptools_impl.HttpToolsProtocol
    for callback in ("on_message_begin", "on_headers_complete", "on_message_complete", "send_400_response"):
        assert callable(getattr(protocol, callback)), callback
    assert '"Invalid HTTP request received."' in inspect.getsource(protocol.data_received)
    # where a request stands, read without callbacks of our own (httptools_protocol's docstring)
    assert "scope" in _assigned(protocol) and "self.scope = {" in inspect.getsource(protocol.on_message_begin)
    assert "scope=self.scope" in inspect.getsource(protocol.on_headers_complete)
    assert "self.cycle.more_body = False" in inspect.getsource(protocol.on_message_complete)
    assert {"scope", "more_body"} <= _assigned(httptools_impl.RequestResponseCycle)
    assert httptools_protocol.MAX_HEAD_BYTES == h11._connection.DEFAULT_MAX_INCOMPLETE_EVENT_SIZE


def test_the_server_has_the_steps_gated_server_overrides():
    for method in ("startup", "main_loop", "on_tick", "shutdown", "run"):
        assert callable(getattr(Server, method)), method
    assert {"config", "server_state", "started", "should_exit", "force_exit"} <= _assigned(Server)
    assert {"connections", "tasks"} <= _assigned(ServerState)
    assert "self.servers" in inspect.getsource(Server.startup) and "self.lifespan" in inspect.getsource(Server._serve)
    assert "ssl_context_factory" in inspect.signature(uvicorn.Config).parameters


def test_the_log_line_a_planned_stop_quiets_is_still_uvicorns():
    assert f'"{logs._GRACE_EXCEEDED}"' in inspect.getsource(Server.shutdown)
