"""`teg-emulator scenario run|list|validate|from-recording`: scripted days, checked and plotted."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from emulator.cli import options as opt
from emulator.extras import PLOT_HINT, optional
from emulator.scenario.source import ScenarioError
from emulator.scenario.times import DEFAULT_RESOLUTION_S

# Reading scenario files (PyYAML, the schema) and running them
# (the runner reads through the app) load only in the commands that do it (issue 13's start-up budget)
if TYPE_CHECKING:
    from emulator.runner.engine import Progress, RunResult


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "scenario", help="run, list, validate scenarios (scripted days with expectations), or make one from a recording"
    )
    inner = p.add_subparsers(dest="scenario_command", required=True, metavar="ACTION", parser_class=type(p))
    r = inner.add_parser("run", help="run a scenario as fast as possible and check its expectations")
    r.add_argument("scenario", metavar="FILE_OR_NAME", help="a scenario file, or the name of a bundled one")
    r.add_argument("--csv", type=_writable, metavar="OUT.csv", help="write the time series as CSV")
    r.add_argument("--plot", type=_writable, metavar="OUT.png", help="draw power flows and SOE over the run as a PNG")
    r.add_argument(
        "--resolution",
        type=opt.bounded_float(1, 86_400),
        default=DEFAULT_RESOLUTION_S,
        metavar="S",
        help=f"seconds between samples in the CSV, the plot and window checks (default {DEFAULT_RESOLUTION_S:g})",
    )
    r.set_defaults(run=run_command)
    lister = inner.add_parser("list", help="list the bundled scenarios")
    lister.set_defaults(run=list_command)
    v = inner.add_parser("validate", help="check scenario files without running them")
    v.add_argument("scenarios", nargs="+", metavar="FILE_OR_NAME")
    v.set_defaults(run=validate_command)
    f = inner.add_parser("from-recording", help="turn a recording (teg-emulator record) into a scenario")
    f.add_argument("recording", metavar="RECORDING.jsonl")
    f.add_argument("--out", type=_writable, metavar="OUT.yaml", help="write the scenario here (default: stdout)")
    f.add_argument(
        "--every",
        type=opt.bounded_float(1, 86_400),
        default=60.0,
        metavar="S",
        help="at most one expectation per endpoint field every S gateway seconds (default 60)",
    )
    f.add_argument("--title", default=None, help="the scenario's title")
    f.set_defaults(run=from_recording_command)


def _writable(text: str) -> str:
    """A file to write: refused up front when its folder is missing or it names a folder itself."""
    path = Path(text).expanduser()
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"cannot write {text}: it is a folder; name a file (such as {path / 'day'})")
    parent = path.resolve().parent
    if not parent.is_dir():
        raise argparse.ArgumentTypeError(f"cannot write {text}: folder {parent} does not exist")
    return text


def _fail(message: str) -> int:
    print(f"teg-emulator: error: {message}", file=sys.stderr)
    return 2


@contextmanager
def progress_bar(title: str) -> Iterator[Progress]:
    """A tqdm bar on stderr that appears only on a terminal, if the run takes a moment and tqdm is there."""
    tqdm_module = optional("tqdm")
    if tqdm_module is None:
        yield lambda done, total: None
        return
    bar = tqdm_module.tqdm(
        total=0, desc=title, unit="sample", file=sys.stderr, delay=0.5, leave=False, disable=not sys.stderr.isatty()
    )

    def advance(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    try:
        yield advance
    finally:
        bar.close()


def run_command(args: argparse.Namespace) -> int:
    if args.plot and optional("matplotlib") is None:
        return _fail(PLOT_HINT)  # before the run, not after it
    from emulator.runner.engine import run
    from emulator.scenario.bundled import resolve

    try:
        scenario = resolve(args.scenario)
    except ScenarioError as exc:
        return _fail(str(exc))
    began = time.perf_counter()
    with progress_bar(scenario.name) as advance:
        result = run(scenario, args.resolution, advance)
    elapsed = time.perf_counter() - began
    report(result, elapsed)
    if args.csv:
        from emulator.runner.table import write_csv

        if not _written(args.csv, lambda: write_csv(result, args.csv)):
            return 2
    if args.plot:
        from emulator.runner.plot import write_plot

        if not _written(args.plot, lambda: write_plot(result, args.plot)):
            return 2
    return 0 if result.passed else 1


def _written(path: str, write: Callable[[], None]) -> bool:
    """Write one output file and say so; on failure say which file and why, and leave no half file behind.

    The error names ``path`` itself: an error raised while flushing (a full disk) carries no file name.
    """
    try:
        write()
    except OSError as exc:
        target = Path(path)
        removed = target.is_file()
        if removed:
            target.unlink(missing_ok=True)
        _fail(f"cannot write {path}: {exc.strerror or exc}" + (" (the partial file was removed)" if removed else ""))
        return False
    print(f"wrote {path}")
    return True


def report(result: RunResult, elapsed: float) -> None:
    s = result.scenario
    hours = (s.end - s.start) / 3600
    print(f"{s.title}  [{s.file}, firmware {s.run_firmware}, {s.label(s.start)} + {hours:g} h, {s.config.timezone}]")
    for outcome in result.outcomes:
        print("  " + outcome.line(s.label))
    failed = sum(not o.passed for o in result.outcomes)
    verdict = f"{failed} FAILED" if failed else "all passed"
    print(
        f"{_count(len(result.outcomes), 'expectation')}: {verdict}  ({_count(len(result.fired), 'event')} fired, {elapsed:.2f} s)"
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def list_command(args: argparse.Namespace) -> int:
    from emulator.scenario.bundled import all_bundled, bundled_names

    names = bundled_names()
    if not names:
        return _fail("no bundled scenarios found")
    width = max(map(len, names))
    try:
        for scenario in all_bundled():
            print(f"{scenario.name:<{width}}  {scenario.title}")
    except ScenarioError as exc:
        return _fail(str(exc))
    return 0


def validate_command(args: argparse.Namespace) -> int:
    from emulator.scenario.bundled import resolve

    bad = 0
    for name in args.scenarios:
        try:
            s = resolve(name)
        except ScenarioError as exc:
            print(f"teg-emulator: error: {exc}", file=sys.stderr)
            bad += 1
            continue
        print(
            f"ok  {s.file}: {s.title} ({_count(len(s.events), 'event')}, {_count(len(s.expectations), 'expectation')})"
        )
    return 2 if bad else 0


def from_recording_command(args: argparse.Namespace) -> int:
    """Convert, then load the result as any scenario is loaded: what we write is known to be valid."""
    from emulator.replay.format import load_recording
    from emulator.replay.to_scenario import convert
    from emulator.scenario.load import load_text

    try:
        text = convert(load_recording(args.recording), every_s=args.every, title=args.title)
        scenario = load_text(text, args.out or "<from-recording>")
    except (ValueError, ScenarioError) as exc:
        return _fail(str(exc))
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        Path(args.out).write_text(text, encoding="utf-8")
    except OSError as exc:
        return _fail(f"cannot write {args.out}: {exc.strerror}")
    print(
        f"wrote {args.out}: {_count(len(scenario.events), 'event')}, {_count(len(scenario.expectations), 'expectation')}"
    )
    return 0
