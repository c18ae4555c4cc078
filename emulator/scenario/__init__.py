"""Scenarios: scripted days for the emulated gateway, with expectations, run offline or served live.

A scenario file (YAML, schema in schemas/scenario.json) names a site, a start,
an initial state, a timeline of events and expectations. :func:`resolve`
loads one by path or bundled name;
:func:`emulator.scenario.events.gateway_settings` makes a gateway serve it live.

This package defines scenarios (spec, load, events, bundled) and sits below the HTTP app, which serves
them. Running one offline is :mod:`emulator.runner`, a layer above the app: endpoint expectations are
read through the real app.

Names are imported on first use (PEP 562), as in :mod:`emulator`: the served app holds scenarios and
imports :mod:`emulator.scenario.spec`, which must not bring the file reader (PyYAML, the schema) into
every start of ``teg-emulator serve`` (issue 13's start-up budget).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator._lazy import lazy_names

if TYPE_CHECKING:
    from emulator.scenario.bundled import all_bundled, bundled_names, load_bundled, resolve
    from emulator.scenario.load import load_file, load_text
    from emulator.scenario.source import ScenarioError
    from emulator.scenario.spec import Event, Expectation, Scenario

_WHERE = {
    "Event": "emulator.scenario.spec",
    "Expectation": "emulator.scenario.spec",
    "Scenario": "emulator.scenario.spec",
    "ScenarioError": "emulator.scenario.source",
    "all_bundled": "emulator.scenario.bundled",
    "bundled_names": "emulator.scenario.bundled",
    "load_bundled": "emulator.scenario.bundled",
    "load_file": "emulator.scenario.load",
    "load_text": "emulator.scenario.load",
    "resolve": "emulator.scenario.bundled",
}

__all__ = [
    "Event",
    "Expectation",
    "Scenario",
    "ScenarioError",
    "all_bundled",
    "bundled_names",
    "load_bundled",
    "load_file",
    "load_text",
    "resolve",
]

__getattr__ = lazy_names(__name__, _WHERE, globals())
