"""Scenarios: scripted days for the emulated gateway, with expectations, run offline or served live.

A scenario file (YAML, schema in schemas/scenario.json) names a site, a start,
an initial state, a timeline of events and expectations. :func:`resolve`
loads one by path or bundled name;
:func:`emulator.scenario.events.gateway_settings` makes a gateway serve it live.

Two layers live here. Defining a scenario (this package's surface: spec, load,
events, bundled) sits below the HTTP app, which serves scenarios. Running one
offline (:func:`emulator.scenario.runner.run`) sits above it, because endpoint
expectations are read through the real app. So the runner is not re-exported
here: importing the package must not import the app that imports the package.
"""

from emulator.scenario.bundled import all_bundled, bundled_names, load_bundled, resolve
from emulator.scenario.load import load_file, load_text
from emulator.scenario.source import ScenarioError
from emulator.scenario.spec import Event, Expectation, Scenario

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
