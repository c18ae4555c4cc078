"""Recorded traffic: `teg-emulator record` writes it, `teg-emulator serve --replay` serves it back.

The format is JSON Lines (see :mod:`emulator.replay.format` and
schemas/recording.json); one recording made from the emulator itself ships
with the package as an example and test fixture (:func:`bundled_recording`).
"""

from __future__ import annotations

from pathlib import Path

from emulator.replay.app import create_replay_app
from emulator.replay.client import RecordError
from emulator.replay.format import Header, Recorded, Recording, RecordingError, load_recording
from emulator.replay.recorder import RecordOptions, Summary, default_endpoints, record

_PACKAGE = Path(__file__).resolve().parent.parent
_RECORDINGS = (_PACKAGE / "_scenarios" / "recordings", _PACKAGE.parent / "scenarios" / "recordings")  # wheel, checkout
EXAMPLE = "emulator-24.4.0.jsonl"


def bundled_recording(name: str = EXAMPLE) -> Path:
    """A recording shipped with the package (in a wheel) or the source checkout."""
    for folder in _RECORDINGS:
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"no bundled recording {name!r}")


__all__ = [
    "EXAMPLE",
    "Header",
    "RecordError",
    "RecordOptions",
    "Recorded",
    "Recording",
    "RecordingError",
    "Summary",
    "bundled_recording",
    "default_endpoints",
    "create_replay_app",
    "load_recording",
    "record",
]
