"""Scenarios: scripted days for the emulated gateway, with expectations, run offline or served live.

A scenario file (YAML, schema in schemas/scenario.json) names a site, a start,
an initial state, a timeline of events and expectations. :func:`resolve`
loads one by path or bundled name; :func:`run` plays it without sleeping;
:meth:`Scenario.settings` makes a gateway serve it live.
"""

from emulator.scenario.bundled import all_bundled, bundled_names, load_bundled, resolve
from emulator.scenario.load import load_file, load_text
from emulator.scenario.runner import RunResult, Sample, build_gateway, run
from emulator.scenario.source import ScenarioError
from emulator.scenario.spec import Event, Expectation, Scenario

__all__ = [
    "Event",
    "Expectation",
    "RunResult",
    "Sample",
    "Scenario",
    "ScenarioError",
    "all_bundled",
    "build_gateway",
    "bundled_names",
    "load_bundled",
    "load_file",
    "load_text",
    "resolve",
    "run",
]
