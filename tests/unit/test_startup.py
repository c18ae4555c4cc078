"""The command line's start-up cache of dataclass methods (emulator/cli/startup.py) can never serve stale code.

Each test makes dataclasses between ``startup.begin()`` and ``startup.ready()``, as ``main`` does around its
imports, with the cache file moved to a temporary folder.
"""

from __future__ import annotations

import dataclasses
import gc
import marshal
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator.cli import startup
from tests.support.paths import ROOT


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "__pycache__" / "dataclass-methods.marshal"
    monkeypatch.setattr(startup, "_FILE", path)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    yield path
    startup.ready()  # whatever a test left begun


def _reading(*fields: tuple[str, type, object]) -> type:
    """A frozen, ordered dataclass (``__init__``, ``__repr__``, ``__eq__``, ``__lt__``..., ``__hash__``)."""
    spec = [(name, kind, dataclasses.field(default=default)) for name, kind, default in fields]
    return dataclasses.make_dataclass("Reading", spec, frozen=True, order=True)


BATTERY = (("soe_pct", float, 50.0), ("power_w", int, 0))


def _started(make: object) -> type:
    """``make()`` as the command line runs it: inside begin() ... ready()."""
    startup.begin()
    try:
        made = make()  # type: ignore[operator]
    finally:
        startup.ready()
    assert isinstance(made, type)
    return made


def _methods(cls: type) -> dict[str, object]:
    return {name: getattr(cls, name).__code__ for name in ("__init__", "__repr__", "__eq__", "__lt__", "__hash__")}


def test_a_second_start_takes_the_methods_from_the_cache_and_they_are_those_python_compiles(cache, monkeypatch):
    plain = _reading(*BATTERY)  # no cache: dataclasses compiles
    first = _started(lambda: _reading(*BATTERY))
    assert cache.exists()

    def no_compiling(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled though the cache has it")

    monkeypatch.setattr(startup, "compile", no_compiling, raising=False)
    second = _started(lambda: _reading(*BATTERY))
    assert _methods(first) == _methods(second) == _methods(plain)
    reading = second(soe_pct=80.5)
    assert repr(reading) == "Reading(soe_pct=80.5, power_w=0)"
    assert reading == second(80.5, 0) and reading < second(90.0) and hash(reading) == hash(second(80.5, 0))


def test_a_changed_class_finds_no_entry_and_gets_its_own_methods(cache):
    _started(lambda: _reading(*BATTERY))
    changed = _started(lambda: _reading(*BATTERY, ("grid_w", int, -3)))  # one field more
    assert _methods(changed) == _methods(_reading(*BATTERY, ("grid_w", int, -3)))
    assert repr(changed()) == "Reading(soe_pct=50.0, power_w=0, grid_w=-3)"
    renamed = _started(lambda: _reading(("soc_pct", float, 50.0), ("power_w", int, 0)))  # same shape, another name
    assert repr(renamed()) == "Reading(soc_pct=50.0, power_w=0)"


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"\x00not marshal at all",
        marshal.dumps((startup._VERSION, {b"k": b"v"}))[:-3],  # cut short
        marshal.dumps("a string"),
        marshal.dumps((startup._VERSION, ["not", "a", "mapping"])),
    ],
    ids=["empty", "garbage", "truncated", "not a pair", "not a mapping"],
)
def test_a_damaged_cache_is_ignored_and_replaced(cache, damage):
    cache.parent.mkdir()
    cache.write_bytes(damage)
    made = _started(lambda: _reading(*BATTERY))
    assert repr(made()) == "Reading(soe_pct=50.0, power_w=0)"
    version, entries = marshal.loads(cache.read_bytes())
    assert version == startup._VERSION and entries and all(isinstance(blob, bytes) for blob in entries.values())


def _poisoned(cache: Path, version: Any) -> None:
    """Every entry of the cache replaced by the code of another class's methods (what a stale cache would hold)."""
    _started(lambda: _reading(("other", str, "x")))
    other = next(iter(marshal.loads(cache.read_bytes())[1].values()))
    _started(lambda: _reading(*BATTERY))
    _, entries = marshal.loads(cache.read_bytes())
    cache.write_bytes(marshal.dumps((version, dict.fromkeys(entries, other))))


def test_a_cache_from_another_interpreter_or_optimisation_level_is_not_used(cache):
    hexversion, optimize = startup._VERSION
    for version in [(hexversion - 1, optimize), (hexversion, optimize + 1), hexversion]:
        _poisoned(cache, version)
        made = _started(lambda: _reading(*BATTERY))
        assert _methods(made) == _methods(_reading(*BATTERY)), version


def test_an_entry_that_does_not_load_as_code_is_compiled_again(cache):
    _started(lambda: _reading(*BATTERY))
    _, entries = marshal.loads(cache.read_bytes())
    cache.write_bytes(marshal.dumps((startup._VERSION, dict.fromkeys(entries, marshal.dumps(42)))))
    made = _started(lambda: _reading(*BATTERY))
    assert _methods(made) == _methods(_reading(*BATTERY))


def test_nothing_is_written_where_python_writes_no_bytecode(cache, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    made = _started(lambda: _reading(*BATTERY))
    assert repr(made()) == "Reading(soe_pct=50.0, power_w=0)" and not cache.parent.exists()


def test_an_unwritable_cache_folder_costs_a_start_nothing_but_the_compiling(tmp_path, monkeypatch):
    blocked = tmp_path / "a file"
    blocked.write_text("not a folder")
    monkeypatch.setattr(startup, "_FILE", blocked / "__pycache__" / "dataclass-methods.marshal")  # cannot be made
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    made = _started(lambda: _reading(*BATTERY))
    assert repr(made()) == "Reading(soe_pct=50.0, power_w=0)"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a file"]  # no stray temporary file either


def test_the_collector_is_off_while_a_start_imports_and_on_again_after(cache):
    assert gc.isenabled()
    startup.begin()
    assert not gc.isenabled()
    startup.ready()
    assert gc.isenabled()
    assert "exec" not in vars(dataclasses)  # later dataclasses compile as usual


def test_the_console_script_keeps_its_cache_where_python_keeps_bytecode(tmp_path):
    """With PYTHONPYCACHEPREFIX the package's folder is never written (a read-only install keeps it there)."""
    script = Path(sys.executable).with_name("teg-emulator")
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(tmp_path), "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for _ in range(2):  # the second start reads what the first wrote
        done = subprocess.run([str(script), "serve", "--help"], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and "--firmware" in done.stdout and not done.stderr, done.stderr
    written = list(tmp_path.rglob("dataclass-methods.*.marshal"))
    assert len(written) == 1 and written[0].parent.name == "cli", written
    version, entries = marshal.loads(written[0].read_bytes())
    assert version == startup._VERSION and len(entries) > 50


def test_where_dataclasses_exec_is_already_replaced_the_start_leaves_it_and_still_collects_again(cache, monkeypatch):
    def theirs(source: str, globals: Any = None, locals: Any = None) -> None:
        exec(source, globals, locals)  # another tool's hook, as a profiler might install

    monkeypatch.setattr(dataclasses, "exec", theirs, raising=False)
    made = _started(lambda: _reading(*BATTERY))
    assert vars(dataclasses)["exec"] is theirs and gc.isenabled() and not cache.exists()
    assert repr(made()) == "Reading(soe_pct=50.0, power_w=0)"
