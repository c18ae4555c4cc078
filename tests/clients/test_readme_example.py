"""The code the README and the documentation show runs as shown: each example is a file in docs/examples/ that the
pages include (pymdownx.snippets) and these tests run, so the two cannot drift."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import README, ROOT

pytest_plugins = ["pytester"]

EXAMPLES = ROOT / "docs" / "examples"
# requests lets these override pypowerwall's verify=False, which the emulator's self-signed certificate needs
CA_BUNDLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")

PYTEST_EXAMPLES = sorted(EXAMPLES.glob("test_*.py"))
SCRIPT_EXAMPLES = sorted(p for p in EXAMPLES.glob("*.py") if not p.name.startswith("test_"))


def test_there_are_examples_of_both_kinds():
    names = {p.name for p in PYTEST_EXAMPLES + SCRIPT_EXAMPLES}
    assert {"test_fixture_outage.py", "test_fixture_pw3.py", "running.py"} <= names


@pytest.mark.parametrize("example", PYTEST_EXAMPLES, ids=lambda p: p.name)
def test_a_pytest_example_passes_as_a_users_test_file(pytester, monkeypatch, example):
    for name in CA_BUNDLES:
        monkeypatch.delenv(name, raising=False)
    pytester.makepyfile(**{example.stem: example.read_text("utf-8")})
    pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=300).assert_outcomes(passed=1)


@pytest.mark.parametrize("example", SCRIPT_EXAMPLES, ids=lambda p: p.name)
def test_a_script_example_runs_to_the_end(tmp_path, example):
    """Run as a user runs it (`python example.py`), from a folder of its own (pypowerwall writes a cache file)."""
    env = {k: v for k, v in os.environ.items() if k not in CA_BUNDLES}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, str(example)], capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.parametrize(
    ("marker", "example"),
    [
        ("readme-example", "test_fixture_outage.py"),
        ("readme-pw3-example", "client_pw3.py"),
        ("readme-v1r-example", "client_v1r_aiopowerwall.py"),
    ],
)
def test_the_readmes_examples_are_the_tested_files_verbatim(marker, example):
    text = README.read_text("utf-8")
    block = re.search(rf"<!-- {marker}:start[^>]*-->\s*```python\n(.*?)```\s*<!-- {marker}:end -->", text, re.S)
    assert block, f"the README lost its {marker} block"
    assert block.group(1) == (EXAMPLES / example).read_text("utf-8"), f"README's {marker} differs from {example}"


def test_the_scenario_commands_run_as_typed(tmp_path):
    """docs/examples/scenario-run.sh, line by line in bash from a checkout-like folder: every scenario passes."""
    for name in ("scenarios", "docs"):
        (tmp_path / name).symlink_to(ROOT / name)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", "MPLBACKEND": "Agg"}
    result = subprocess.run(
        ["bash", "-euo", "pipefail", str(EXAMPLES / "scenario-run.sh")],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert (tmp_path / "day.csv").stat().st_size > 0 and (tmp_path / "day.png").stat().st_size > 0
    assert "FAIL" not in result.stdout and result.stdout.count("PASS") >= 8


def test_the_documented_pytest_form_of_verify_names_only_options_the_suite_has():
    """docs/examples/verify-pytest.sh cannot run here (it names a real gateway): its options must be the suite's."""
    shown = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", (EXAMPLES / "verify-pytest.sh").read_text("utf-8")))
    assert {"--gateway-url", "--gateway-password", "--allow-writes", "--firmware"} <= shown
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "contract_tests", "--help", "-p", "no:cacheprovider"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    known = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", result.stdout))
    assert shown <= known, sorted(shown - known)
