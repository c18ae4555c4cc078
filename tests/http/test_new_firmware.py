"""A new firmware is a facts file plus a renderer family: nothing else in the emulator needs to change.

This test adds a firmware the repository does not have, from a temporary folder and this module, through
the public doors only (emulator.contract.register_facts, emulator.firmware.register_renderers), then serves
it with emulator.running() and reads it as a client would: its version, its own body shape, its login rules,
the control API, and the recorder's default endpoints. If serving a firmware needed a table anywhere else
(routes, the recorder, the fixture's options), this would fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

import emulator
from emulator import contract
from emulator.device.snapshot import Snapshot
from emulator.firmware import RENDERERS, register_renderers
from emulator.firmware.modern_bodies import ModernBodies
from emulator.replay import default_endpoints

VERSION = "99.1.0"


class Bodies99(ModernBodies):
    """The test firmware's renderer family: 24.4.0's bodies, with its own state-of-energy shape."""

    def soe(self, snap: Snapshot) -> Any:
        return {"percentage": snap.soe_pct, "firmware_99": True}


def facts_file(folder: Path) -> Path:
    """24.4.0's facts, renamed: a new version, its own reported version, its own renderer family."""
    data = yaml.safe_load((contract.schemas_dir() / "firmware" / "24.4.0.yaml").read_text())
    data.update(version=VERSION, speaks_for_from="99.1", renderers="firmware_99")
    data["reports"] = {"version": f"{VERSION} 99999999", "git_hash": "9" * 40}
    del data["polled"]  # the recorder must find its reads from the paths alone
    path = folder / f"{VERSION}.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.fixture
def firmware_99(tmp_path: Path) -> Iterator[contract.FirmwareFacts]:
    path = facts_file(tmp_path)
    facts = contract.parse_facts(path.stem, yaml.safe_load(path.read_text()))
    contract.register_facts(facts)
    register_renderers("firmware_99", Bodies99)
    try:
        yield facts
    finally:
        contract.forget_facts(VERSION)
        RENDERERS.pop("firmware_99")


def test_a_firmware_from_a_facts_file_and_a_renderer_family_is_served(firmware_99: contract.FirmwareFacts) -> None:
    with emulator.running(firmware=VERSION, soe=42.5, speed=0) as gw, httpx.Client(verify=False, timeout=10) as http:
        assert gw.url.startswith("https://") and gw.firmware == VERSION
        status = http.get(f"{gw.url}/api/status").json()
        assert status["version"] == f"{VERSION} 99999999"
        assert http.get(f"{gw.url}/api/system_status/soe").status_code == 403  # the facts: reads need a login
        login = {"username": "customer", "password": gw.password, "email": "a@b.c"}
        assert http.post(f"{gw.url}/api/login/Basic", json=login).status_code == 200
        assert http.get(f"{gw.url}/api/system_status/soe").json() == {"percentage": 42.5, "firmware_99": True}
        assert http.get(f"{gw.url}/api/meters/aggregates").json()["site"]["instant_power"] is not None
        assert gw.state()["firmware"] == VERSION
    endpoints = default_endpoints(firmware_99)
    assert "/api/system_status/soe" in endpoints and "/api/sitemaster/run" not in endpoints  # reads only
