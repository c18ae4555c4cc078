"""The code the README and the documentation show runs as shown: each example is a file in docs/examples/ that the
pages include (pymdownx.snippets) and these tests run, so the two cannot drift."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "docs" / "examples"
README = ROOT / "README.md"
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
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


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
    ("marker", "example"), [("readme-example", "test_fixture_outage.py"), ("readme-pw3-example", "client_pw3.py")]
)
def test_the_readmes_examples_are_the_tested_files_verbatim(marker, example):
    text = README.read_text("utf-8")
    block = re.search(rf"<!-- {marker}:start[^>]*-->\s*```python\n(.*?)```\s*<!-- {marker}:end -->", text, re.S)
    assert block, f"the README lost its {marker} block"
    assert block.group(1) == (EXAMPLES / example).read_text("utf-8"), f"README's {marker} differs from {example}"
