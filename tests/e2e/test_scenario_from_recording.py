"""`teg-emulator scenario from-recording`: a recording's story becomes a scenario that passes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.support.paths import ROOT

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
BUNDLED = ROOT / "scenarios" / "recordings" / "emulator-24.4.0.jsonl"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "emulator.cli", *args], capture_output=True, text=True, timeout=120, env=ENV, cwd=ROOT
    )


def test_the_shipped_recording_becomes_a_scenario_that_passes(tmp_path: Path) -> None:
    out = tmp_path / "replayed.yaml"
    made = cli("scenario", "from-recording", str(BUNDLED), "--out", str(out))
    assert made.returncode == 0, made.stderr
    scenario = yaml.safe_load(out.read_text())
    assert [e["do"] for e in scenario["events"]] == ["grid_down", "grid_up"]  # the outage the recording holds
    assert scenario["site"]["firmware"] == "24.4.0" and scenario["start"].startswith("2026-07-01T19:4")
    assert any(e.get("equals") == "SystemIslandedActive" for e in scenario["expect"])
    ran = cli("scenario", "run", str(out))
    assert ran.returncode == 0, ran.stdout[-2000:]
    assert "all passed" in ran.stdout


def test_without_its_events_the_converted_scenario_fails(tmp_path: Path) -> None:
    """The expectations carry the recording's facts: a day without the outage does not meet them."""
    text = cli("scenario", "from-recording", str(BUNDLED)).stdout
    scenario = yaml.safe_load(text)
    scenario["events"] = []
    out = tmp_path / "no-outage.yaml"
    out.write_text(yaml.safe_dump(scenario, sort_keys=False))
    ran = cli("scenario", "run", str(out))
    assert ran.returncode == 1 and "FAIL" in ran.stdout and "SystemIslandedActive" in ran.stdout


def _line(t: float, path: str, body: dict, status: int = 200) -> str:
    return json.dumps(
        {"t": t, "method": "GET", "path": path, "status": status, "content_type": "application/json", "body": body}
    )


def _aggregates(stamp: str) -> dict:
    meter = {
        "last_communication_time": stamp,
        "instant_power": 0,
        "frequency": 60,
        "energy_exported": 0,
        "energy_imported": 0,
    }
    return {m: dict(meter) for m in ("site", "battery", "load", "solar")}


def test_operation_and_sitemaster_changes_become_events_at_the_gateways_time(tmp_path: Path) -> None:
    header = {
        "format": "teg-recording",
        "version": 1,
        "firmware": "1.15.0",
        "profile": "1.15.0",
        "recorded_at": "2026-11-25T12:00:00+00:00",
        "interval_s": 1,
        "endpoints": ["/api/meters/aggregates"],
        "gateway": {"din": None, "serial": None, "part_number": None, "device_type": None},
        "redacted": True,
        "tls": False,
        "source": None,
        "recorder": "hand-written",
    }
    lines = [json.dumps(header)]
    for i, (mode, running) in enumerate(
        [("self_consumption", True), ("backup", True), ("backup", False), ("backup", True)]
    ):
        t = i * 1.0  # one real second per poll, ten gateway minutes apart
        stamp = f"2026-07-15T{10 + i // 6:02d}:{(i * 10) % 60:02d}:00-07:00"
        lines += [
            _line(t, "/api/meters/aggregates", _aggregates(stamp)),
            _line(t + 0.1, "/api/operation", {"mode": mode, "backup_reserve_percent": 20.0}),
            _line(t + 0.2, "/api/sitemaster", {"running": running, "uptime": "1s,", "connected_to_tesla": True}),
        ]
    recording = tmp_path / "hand.jsonl"
    recording.write_text("\n".join(lines) + "\n")
    made = cli("scenario", "from-recording", str(recording))
    assert made.returncode == 0, made.stderr
    events = yaml.safe_load(made.stdout)["events"]
    assert [(e["at"], e["do"]) for e in events] == [
        ("2026-07-15T10:10:00", "operation"),
        ("2026-07-15T10:20:00", "sitemaster_stop"),
        ("2026-07-15T10:30:00", "sitemaster_run"),
    ]
    assert events[0]["mode"] == "backup"


def test_a_broken_recording_is_one_line_with_file_and_line_and_exit_2(tmp_path: Path) -> None:
    recording = tmp_path / "broken.jsonl"
    recording.write_text(BUNDLED.read_text().splitlines()[0] + "\n{not json\n")
    made = cli("scenario", "from-recording", str(recording))
    assert made.returncode == 2
    assert f"{recording}:2:" in made.stderr and len(made.stderr.strip().splitlines()) == 1
