"""The README's example test runs exactly as written (extracted, so the two cannot drift)."""

from __future__ import annotations

import re

from tests.support.paths import README

pytest_plugins = ["pytester"]


def readme_example() -> str:
    text = README.read_text("utf-8")
    block = re.search(r"<!-- readme-example:start -->\s*```python\n(.*?)```\s*<!-- readme-example:end -->", text, re.S)
    assert block, "the README lost its example test"
    return block.group(1)


def test_the_readme_example_passes_as_written(pytester):
    pytester.makepyfile(test_readme=readme_example())
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_the_readme_powerwall_3_example_passes_as_written(pytester, monkeypatch):
    text = README.read_text("utf-8")
    block = re.search(
        r"<!-- readme-pw3-example:start -->\s*```python\n(.*?)```\s*<!-- readme-pw3-example:end -->", text, re.S
    )
    assert block, "the README lost its Powerwall 3 example"
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):  # requests lets them override pypowerwall's verify=False
        monkeypatch.delenv(name, raising=False)
    pytester.makepyfile(test_readme_pw3=block.group(1))
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
