"""One duration grammar: `record --duration` and scenario files read the same text the same way."""

from __future__ import annotations

import pytest

from emulator.cli import build_parser
from emulator.scenario import ScenarioError, load_text

CASES = [("500ms", 0.5), ("90", 90.0), ("45s", 45.0), ("1h 30m", 5400.0), ("1h30m", 5400.0), ("1.5h", 5400.0)]


def _recorded(text: str) -> float:
    args = build_parser().parse_args(
        ["record", "--gateway-url", "https://127.0.0.1:1", "--out", "x.jsonl", "--duration", text]
    )
    return float(args.duration)


def _scenario_duration(text: str) -> float:
    scenario = load_text(f"title: t\nstart: 2026-07-15T00:00\nduration: {text}\n", "t.yaml")
    return scenario.end - scenario.start


@pytest.mark.parametrize(("text", "seconds"), CASES)
def test_record_duration_and_a_scenario_duration_agree(text, seconds):
    assert _recorded(text) == pytest.approx(seconds)
    assert _scenario_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["30m1h", "1h h", "1.5.5s"])
def test_a_slip_is_refused_by_both_with_the_same_hint(text, capsys):
    with pytest.raises(SystemExit) as exit_:
        _recorded(text)
    assert exit_.value.code == 2 and "use e.g. 500ms, 90s, 30m, 1h30m" in capsys.readouterr().err
    with pytest.raises(ScenarioError, match="use e.g. 500ms, 90s, 30m, 1h30m"):
        _scenario_duration(text)
