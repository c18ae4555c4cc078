"""matplotlib and tqdm are the [plot] extra: without them, one line says what to install."""

from __future__ import annotations

import sys

import pytest

from emulator.cli import main


def test_plot_without_matplotlib_is_refused_before_the_run_with_a_hint(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # what an install without the extra looks like
    code = main(["scenario", "run", "evening-outage", "--plot", str(tmp_path / "day.png")])
    err = capsys.readouterr().err
    assert code == 2 and not (tmp_path / "day.png").exists()
    assert err.strip().splitlines() == [
        "teg-emulator: error: --plot needs matplotlib: pip install 'teg-emulator[plot]' (in a clone: pip install -e '.[plot]')"
    ]


@pytest.mark.parametrize("missing", ["tqdm"])
def test_a_run_without_tqdm_still_reports(monkeypatch, capsys, missing):
    monkeypatch.setitem(sys.modules, missing, None)
    assert main(["scenario", "run", "evening-outage"]) == 0
    assert "PASS" in capsys.readouterr().out
