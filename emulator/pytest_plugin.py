"""The pytest plugin: a live emulated gateway per test, configured by a marker.

Registered through the ``pytest11`` entry point, so installing the package is
all it takes::

    @pytest.mark.teg_emulator(firmware="24.4.0", powerwalls=2, soe=15, grid="down", speed=0)
    def test_my_client(teg_emulator):
        pw = pypowerwall.Powerwall(teg_emulator.host, password=teg_emulator.password)
        ...

The server runs in-process (uvicorn in a background thread), so starting one
costs milliseconds; the handle drives it through the documented control API.
"""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from functools import lru_cache
from typing import Any

import pytest

from emulator.control.scenario import install
from emulator.device.factory import EmulatorOptions, build_gateway, localize
from emulator.device.gateway import Gateway
from emulator.scenario import Scenario, ScenarioError, resolve
from emulator.serving.app import create_app
from emulator.serving.server import ServerThread
from emulator.serving.tls import SelfSigned, self_signed

MARKER = "teg_emulator"
OPTIONS: dict[str, str] = {
    "firmware": "firmware profile, '1.15.0', '21.44.1', '24.4.0' or '25.10.1' (Powerwall 3)",
    "powerwalls": "number of Powerwall 2 units",
    "soe": "starting state of energy, % (API scale)",
    "grid": "'up' or 'down' at start",
    "speed": "sim seconds per real second; 0 pauses the clock",
    "tls": "serve HTTPS (default: what the firmware does)",
    "seed": "seed for clouds, load and serials",
    "password": "customer password (newer firmware)",
    "gw_password": "gateway password (QR sticker) for the TEDAPI; default: ten letters drawn from the seed",
    "gateway_serial": "gateway serial number",
    "start": "sim start time (ISO 8601 string or aware datetime)",
    "mode": "operation mode at start",
    "reserve": "backup reserve at start, % API scale",
    "pv_rating": "PV inverter rating, W",
    "timezone": "site time zone",
    "scenario": "a bundled scenario's name or a scenario file: its site, start, initial state and events",
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): configure the teg_emulator fixture; options: {', '.join(OPTIONS)}",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A marker with an unknown option is a mistake in the test: say so before anything runs."""
    for item in items:
        for marker in item.iter_markers(MARKER):
            unknown = sorted(set(marker.kwargs) - OPTIONS.keys())
            if marker.args or unknown:
                bad = ", ".join(unknown) or "positional arguments"
                raise pytest.UsageError(
                    f"{item.nodeid}: @pytest.mark.{MARKER} got {bad}; valid options: {', '.join(OPTIONS)}"
                )


@lru_cache(maxsize=4)
def _certificate(key_type: str = "ec", min_version: str | None = None) -> SelfSigned:
    """One self-signed certificate per kind per test session: making one takes longer than a server start."""
    return self_signed(key_type=key_type, min_version=min_version)


def to_options(settings: dict[str, Any]) -> tuple[EmulatorOptions, bool | None]:
    """Marker settings -> emulator options (and the TLS choice, None meaning the firmware's default)."""
    unknown = sorted(set(settings) - OPTIONS.keys())
    if unknown:
        raise ValueError(f"unknown teg_emulator option(s) {', '.join(unknown)}; valid: {', '.join(OPTIONS)}")
    speed = float(settings.get("speed", 1.0))
    kwargs: dict[str, Any] = {"speed": speed, "paused": speed == 0}
    renames = {"soe": "soe_pct", "reserve": "reserve_pct", "pv_rating": "pv_rating_w"}
    for key in (
        "firmware",
        "powerwalls",
        "soe",
        "seed",
        "password",
        "gw_password",
        "gateway_serial",
        "mode",
        "reserve",
        "pv_rating",
        "timezone",
    ):
        if key in settings:
            kwargs[renames.get(key, key)] = settings[key]
    if "grid" in settings:
        if settings["grid"] not in ("up", "down"):
            raise ValueError(f"grid must be 'up' or 'down', not {settings['grid']!r}")
        kwargs["grid_connected"] = settings["grid"] == "up"
    if "start" in settings:
        start = settings["start"]
        start = datetime.fromisoformat(start) if isinstance(start, str) else start
        kwargs["start"] = localize(start, settings.get("timezone", EmulatorOptions.timezone))
    return EmulatorOptions(**kwargs), settings.get("tls")


class EmulatorHandle:
    """A running emulated gateway and intention-revealing ways to push it around."""

    def __init__(self, gateway: Gateway, server: ServerThread, ca_pem: str | None) -> None:
        self.gateway = gateway
        self.server = server
        self._ssl = ssl.create_default_context(cafile=ca_pem) if ca_pem else None

    # -- where it is ---------------------------------------------------------------
    @property
    def url(self) -> str:
        return self.server.url

    @property
    def host(self) -> str:
        """``host:port``, as pypowerwall and tesla-powerwall take it."""
        return f"127.0.0.1:{self.server.port}"

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def password(self) -> str:
        return self.gateway.password

    @property
    def gw_password(self) -> str:
        """The gateway password (QR sticker): HTTP Basic ``Tesla_Energy_Device`` on the TEDAPI."""
        return self.gateway.gw_password

    @property
    def firmware(self) -> str:
        return self.gateway.profile.version

    # -- the control API -------------------------------------------------------------
    def control(self, method: str, path: str, body: Any = None, query: dict[str, Any] | None = None) -> Any:
        url = f"{self.url}/_emulator/{path}"
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method, headers={"content-type": "application/json"})
        try:
            with urllib.request.urlopen(request, context=self._ssl, timeout=30) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as err:
            detail = err.read().decode("utf-8", "replace")
            raise AssertionError(f"control API {method} /_emulator/{path} refused: {err.code} {detail}") from None

    def state(self) -> dict[str, Any]:
        return self.control("GET", "state")

    def set_grid(self, connected: bool) -> dict[str, Any]:
        return self.control("POST", "grid", {"connected": connected})

    def advance(self, seconds: float) -> dict[str, Any]:
        return self.control("POST", "clock", {"advance_s": seconds})

    def set_speed(self, speed: float) -> dict[str, Any]:
        return self.control("POST", "clock", {"speed": speed})

    def pause(self) -> dict[str, Any]:
        return self.control("POST", "clock", {"paused": True})

    def resume(self) -> dict[str, Any]:
        return self.control("POST", "clock", {"paused": False})

    def set_soe(self, pct: float) -> dict[str, Any]:
        return self.control("PATCH", "state", {"soe_pct": pct})

    def set_solar(self, watts: float | None) -> dict[str, Any]:
        """Force PV output (None: back to the sun and clouds)."""
        return self.control("PATCH", "state", {"solar_w": watts})

    def set_load(self, watts: float | None) -> dict[str, Any]:
        """Force the house's consumption (None: back to the household profile)."""
        return self.control("PATCH", "state", {"load_w": watts})

    def set_cloud_cover(self, cover: float | None) -> dict[str, Any]:
        return self.control("PATCH", "state", {"cloud_cover": cover})

    def stop_sitemaster(self) -> dict[str, Any]:
        return self.control("POST", "sitemaster", {"running": False})

    def run_sitemaster(self) -> dict[str, Any]:
        return self.control("POST", "sitemaster", {"running": True})

    def set_operation(self, mode: str | None = None, reserve: float | None = None) -> dict[str, Any]:
        body = {k: v for k, v in (("mode", mode), ("backup_reserve_percent", reserve)) if v is not None}
        return self.control("POST", "operation", body)

    def reset(self) -> dict[str, Any]:
        return self.control("POST", "reset")

    def fault(self, path: str, kind: str, **rule: Any) -> str:
        """Add a fault rule (see the README's fault table); returns its id."""
        return self.control("POST", "faults", {"path": path, "kind": kind, **rule})["id"]

    def load_scenario(self, name: str) -> dict[str, Any]:
        """Become a bundled scenario's day: its site, start and initial state, its events armed."""
        return self.control("POST", "scenario", {"name": name})

    def clear_faults(self) -> None:
        self.control("DELETE", "faults")

    def requests(
        self,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        since: int | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """The request journal, oldest first (``path`` may be a glob)."""
        query = {"method": method, "path": path, "status": status, "since": since, "limit": limit}
        return self.control("GET", "requests", query=query)["requests"]


def start_emulator(settings: dict[str, Any]) -> tuple[EmulatorHandle, ServerThread]:
    settings = dict(settings)
    scenario = _scenario(settings.pop("scenario", None), settings)
    options, tls_choice = to_options(settings)
    gateway = build_gateway(options)
    if scenario is not None:
        install(gateway, scenario)
    use_tls = gateway.profile.tls_default if tls_choice is None else bool(tls_choice)
    profile = gateway.profile
    certificate = _certificate(profile.tls_key_type, profile.tls_min_version) if use_tls else None
    tls = certificate.files if certificate else None
    app = create_app(gateway, tls=tls is not None, scenario=scenario)
    server = ServerThread(app, tls=tls).start()
    return EmulatorHandle(gateway, server, certificate.ca_pem if certificate else None), server


def _scenario(name: str | None, settings: dict[str, Any]) -> Scenario | None:
    """The scenario a marker names; its firmware becomes the gateway's (a different one is a mistake)."""
    if name is None:
        return None
    try:
        scenario = resolve(name)
    except ScenarioError as exc:
        raise ValueError(str(exc)) from None
    if scenario.firmware:
        if settings.setdefault("firmware", scenario.firmware) != scenario.firmware:
            raise ValueError(f"scenario {scenario.name} needs firmware {scenario.firmware}, not {settings['firmware']}")
    return scenario


def _settings_for(request: pytest.FixtureRequest) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers(MARKER))):  # closest marker wins
        settings.update(marker.kwargs)
    settings.update(getattr(request, "param", None) or {})
    return settings


@pytest.fixture
def teg_emulator(request: pytest.FixtureRequest) -> Iterator[EmulatorHandle]:
    """A fresh emulated gateway for one test, configured by ``@pytest.mark.teg_emulator(...)``."""
    try:
        handle, server = start_emulator(_settings_for(request))
    except ValueError as exc:
        pytest.fail(f"teg_emulator: {exc}", pytrace=False)
    try:
        yield handle
    finally:
        server.stop()


@pytest.fixture(scope="session")
def teg_emulator_session() -> Iterator[EmulatorHandle]:
    """One emulated gateway (firmware 1.15.0, defaults) shared by the whole session; call ``.reset()`` as needed."""
    handle, server = start_emulator({})
    try:
        yield handle
    finally:
        server.stop()
