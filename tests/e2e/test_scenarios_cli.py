"""`teg-emulator scenario run|list|validate` and `serve --scenario`, as a user types them."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from tests.e2e.test_cli import CLI, ENV, get, run_cli
from tests.support.processes import started

OK = """title: a short afternoon
start: 2026-07-15T12:00
duration: 3h
events:
  - {at: "13:00", do: grid_down, duration: 1h, label: storm}
expect:
  - {at: "13:30", field: grid.status, equals: SystemIslandedActive}
  - {from: "13:01", to: "13:59", field: power_w.site, equals: 0}
"""


@pytest.fixture
def scenario_file(tmp_path: Path):
    def write(text: str, name: str = "s.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text)
        return path

    return write


def test_run_prints_each_expectation_writes_csv_and_png_and_exits_0(scenario_file, tmp_path):
    out_csv, out_png = tmp_path / "day.csv", tmp_path / "day.png"
    done = run_cli(
        "scenario", "run", str(scenario_file(OK)), "--csv", str(out_csv), "--plot", str(out_png), "--resolution", "120"
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("a short afternoon  [")
    assert lines[1].strip() == "PASS  13:30  grid.status equals SystemIslandedActive  -- found SystemIslandedActive"
    assert lines[2].strip().startswith("PASS  13:01..13:59  power_w.site equals 0 throughout  -- found 0 to 0 over")
    assert "2 expectations: all passed" in done.stdout and done.stderr == ""
    with out_csv.open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3 * 30 + 1
    assert {
        "time",
        "site_w",
        "battery_w",
        "load_w",
        "solar_w",
        "soe_pct",
        "grid_status",
        "grid_connected",
        "mode",
    } <= set(rows[0])
    for row in rows:
        flows = [float(row[k]) for k in ("site_w", "battery_w", "solar_w")]
        assert float(row["load_w"]) == pytest.approx(sum(flows), abs=0.01)
    islanded = [r["time"][11:16] for r in rows if r["grid_connected"] == "false"]
    assert islanded[0] == "13:00" and islanded[-1] == "14:00" and rows[31]["grid_status"] == "SystemIslandedActive"
    with Image.open(out_png) as image:
        assert image.format == "PNG" and image.size[0] >= 1000 and image.size[1] >= 600


FULL_DISK = "/dev/full"  # every write to it fails with ENOSPC, as on a full disk


@pytest.mark.skipif(not Path(FULL_DISK).exists(), reason="needs /dev/full (Linux, the BSDs)")
@pytest.mark.parametrize("flag", ["--csv", "--plot"])
def test_a_full_disk_is_one_line_naming_the_file_and_exit_2(scenario_file, flag):
    done = run_cli("scenario", "run", str(scenario_file(OK)), flag, FULL_DISK, "--resolution", "600")
    assert done.returncode == 2
    assert done.stderr == f"teg-emulator: error: cannot write {FULL_DISK}: No space left on device\n"
    assert "wrote" not in done.stdout


def test_a_full_disk_leaves_no_half_written_file(scenario_file, tmp_path):
    """A regular file that cannot be finished is removed: a truncated CSV reads as a shorter day."""
    out = tmp_path / "day.csv"
    # -B: under the size limit Python would write this process's bytecode cut short (importlib does not check
    # for a short write) and every later import of the module would fail; a full disk refuses the write instead
    limit = "import resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN);"
    limit += "resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048));"
    code = limit + "from emulator.cli import main; sys.exit(main(sys.argv[1:]))"
    argv = [sys.executable, "-B", "-c", code, "scenario", "run", str(scenario_file(OK)), "--csv", str(out)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, env=ENV)
    assert done.returncode == 2, done.stderr
    assert f"cannot write {out}: File too large (the partial file was removed)" in done.stderr
    assert not out.exists()


@pytest.mark.parametrize("flag", ["--csv", "--plot"])
def test_an_existing_folder_as_the_output_is_refused_before_the_run(scenario_file, tmp_path, flag):
    folder = tmp_path / "out"
    folder.mkdir()
    done = run_cli("scenario", "run", str(scenario_file(OK)), flag, str(folder))
    assert done.returncode == 2 and f"cannot write {folder}: it is a folder; name a file" in done.stderr
    assert done.stdout == "" and sorted(p.name for p in tmp_path.iterdir()) == ["out", "s.yaml"]  # no out.png


def test_a_plot_is_written_at_exactly_the_path_named(scenario_file, tmp_path):
    bare, svg = tmp_path / "day", tmp_path / "day.svg"
    for out in (bare, svg):
        done = run_cli("scenario", "run", str(scenario_file(OK)), "--plot", str(out), "--resolution", "600")
        assert done.returncode == 0 and f"wrote {out}\n" in done.stdout, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["day", "day.svg", "s.yaml"]
    with Image.open(bare) as image:
        assert image.format == "PNG"  # no suffix: a PNG, as --plot's help says
    assert svg.read_text().lstrip().startswith("<?xml")  # a suffix matplotlib knows: that format


def test_a_broken_expectation_fails_the_run_with_the_value_found(scenario_file):
    done = run_cli("scenario", "run", str(scenario_file(OK.replace("equals: 0}", "equals: 250}"))))
    assert done.returncode == 1
    assert "FAIL  13:01..13:59  power_w.site equals 250 throughout  -- found 0 at 13:01" in done.stdout
    assert "2 expectations: 1 FAILED" in done.stdout


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (
            OK.replace("do: grid_down, duration: 1h", "do: [grid_down"),
            "s.yaml:5: YAML syntax error: expected ',' or ']'",
        ),
        (OK.replace("duration: 3h", "duration: [3h]"), "s.yaml:3: duration: ['3h'] is not of type"),
        (
            OK.replace("field: grid.status", "field: grid.state"),
            "s.yaml:7: expect[0].field: unknown field 'grid.state'",
        ),
        (OK.replace("do: grid_down", "do: blackout"), "s.yaml:5: events[0].do: 'blackout' is not one of"),
        (OK.replace('at: "13:30"', 'at: "13h30"'), "s.yaml:7: expect[0].at: '13h30' is not a time"),
    ],
    ids=["yaml-syntax", "schema", "unknown-field", "unknown-event-kind", "bad-time"],
)
def test_a_malformed_file_is_one_line_with_file_and_line_and_exit_2(scenario_file, text, where):
    path = scenario_file(text)
    for command in (("scenario", "run", str(path)), ("scenario", "validate", str(path))):
        done = run_cli(*command)
        assert done.returncode == 2, done.stdout
        assert done.stderr.startswith(f"teg-emulator: error: {path.parent}/{where}"), done.stderr
        assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_list_and_validate_know_the_bundled_scenarios_by_name(scenario_file):
    listed = run_cli("scenario", "list")
    assert listed.returncode == 0
    names = [line.split()[0] for line in listed.stdout.splitlines()]
    assert len(names) >= 8 and "evening-outage" in names
    assert re.search(r"^evening-outage +Evening outage the battery rides through$", listed.stdout, re.M)
    done = run_cli("scenario", "validate", "evening-outage", str(scenario_file(OK)), "no-such-scenario")
    assert done.returncode == 2
    assert "ok  scenarios/evening-outage.yaml" in done.stdout and "ok  " + str(scenario_file(OK)) in done.stdout
    assert "no-such-scenario: no such file, and no bundled scenario of that name (bundled: " in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--resolution", "0"), "--resolution: 0 must be between 1 and 86400"),
        (
            ("--csv", "/no/such/folder/x.csv"),
            "cannot write /no/such/folder/x.csv: folder /no/such/folder does not exist",
        ),
    ],
)
def test_bad_run_flags_exit_2_with_one_line(args, message):
    done = run_cli("scenario", "run", "evening-outage", *args)
    assert done.returncode == 2 and message in done.stderr and len(done.stderr.splitlines()) == 1


def test_serve_scenario_lets_any_client_see_the_day_unfold(scenario_file):
    path = scenario_file(
        "title: soon\nstart: 2026-07-15T18:00\nevents:\n  - {at: '+10m', do: grid_down, label: storm}\n"
    )
    argv = [*CLI, "serve", "--firmware", "1.15.0", "--port", "0", "--scenario", str(path), "--speed", "3000"]
    with started(argv, stderr=subprocess.PIPE, env=ENV) as proc:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(4)]
        assert lines[3].startswith("  scenario:       s: soon")
        url = lines[0].split()[-1].rstrip("/")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            status = json.loads(get(url + "/_emulator/scenario")[1])
            if status["fired_events"]:
                break
            time.sleep(0.05)
        assert status["name"] == "s" and [e["label"] for e in status["fired_events"]] == ["storm"]
        time.sleep(0.1)  # 300 sim seconds: the island is formed
        assert json.loads(get(url + "/api/system_status/grid_status")[1]) == {"grid_status": "SystemIslandedActive"}


def test_serve_refuses_a_bad_scenario_before_listening(scenario_file):
    done = run_cli("serve", "--port", "0", "--scenario", str(scenario_file("title: t\nstart: 2026-07-15\nexpect: 3\n")))
    assert done.returncode == 2 and "s.yaml:3: expect: 3 is not of type 'array'" in done.stderr and done.stdout == ""
    done = run_cli("serve", "--port", "0", "--scenario", "login-stops-sitemaster", "--firmware", "24.4.0")
    assert done.returncode == 2 and "needs firmware 1.15.0" in done.stderr
