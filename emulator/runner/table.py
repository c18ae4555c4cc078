"""The run's time series as CSV: one row per sample, every meter's power, SOE, grid, mode."""

from __future__ import annotations

import csv
from dataclasses import astuple, fields
from datetime import datetime
from pathlib import Path

from emulator.runner.engine import RunResult, Sample

COLUMNS = ("time", *("sim_time_s" if f.name == "t" else f.name for f in fields(Sample)))


def write_csv(result: RunResult, path: str | Path) -> None:
    zone = result.scenario.zone
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for sample in result.samples:
            local = datetime.fromtimestamp(sample.t, zone).isoformat()
            writer.writerow([local, *(_cell(v) for v in astuple(sample))])


def _cell(value: object) -> object:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return round(value, 3)
    return value
