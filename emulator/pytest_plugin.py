"""The pytest plugin: a live emulated gateway per test, configured by a marker.

Registered through the ``pytest11`` entry point, so installing the package is
all it takes::

    @pytest.mark.teg_emulator(powerwalls=2, soe=15, grid="down", speed=0)
    def test_my_client(teg_emulator):
        pw = pypowerwall.Powerwall(teg_emulator.host, password=teg_emulator.password)
        ...

A bare marker (or none) gives firmware 24.4.0 over HTTPS, the protocol today's
clients speak; ``firmware="1.15.0"`` gives the old plain-HTTP gateway. The
marker takes the options of :func:`emulator.running` (one list:
:class:`emulator.serving.options.RunOptions`); this module only translates a marker
into that call. It imports the emulator when a test first asks for the
fixture, so a pytest run that never uses it pays nothing for it being installed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from emulator.testing import Emulator

MARKER = "teg_emulator"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): configure the teg_emulator fixture with emulator.running()'s options "
        "(firmware, scenario, powerwalls, soe, grid, speed, tls, ...; bare: 24.4.0 over HTTPS)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A marker with an unknown option is a mistake in the test: say so before anything runs."""
    marked = [(item, m) for item in items for m in item.iter_markers(MARKER)]
    if not marked:
        return  # do not import the emulator for a run that does not use it
    from emulator.serving.options import RunOptions

    valid = RunOptions.names()
    for item, marker in marked:
        unknown = sorted(set(marker.kwargs) - set(valid))
        if marker.args or unknown:
            bad = ", ".join(unknown) or "positional arguments"
            raise pytest.UsageError(
                f"{item.nodeid}: @pytest.mark.{MARKER} got {bad}; valid options: {', '.join(valid)}"
            )


def _settings_for(request: pytest.FixtureRequest) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers(MARKER))):  # closest marker wins
        settings.update(marker.kwargs)
    settings.update(getattr(request, "param", None) or {})
    return settings


def _serve(settings: dict[str, Any]) -> Iterator[Emulator]:
    from emulator.testing import running

    try:
        gw = running(**settings).start()
    except ValueError as exc:
        pytest.fail(f"teg_emulator: {exc}", pytrace=False)
    try:
        yield gw
    finally:
        gw.stop()
    gw.check()  # the emulator raised or answered a 500 of its own: fail the test that saw it


@pytest.fixture
def teg_emulator(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    """A fresh emulated gateway for one test, configured by ``@pytest.mark.teg_emulator(...)``."""
    yield from _serve(_settings_for(request))


@pytest.fixture(scope="session")
def teg_emulator_session() -> Iterator[Emulator]:
    """One emulated gateway (24.4.0, defaults) shared by the whole session; call ``.reset()`` as needed."""
    yield from _serve({})
