"""The documentation holds together: the site builds with `mkdocs build --strict` (every page in the nav, every
link and anchor resolving, every included example present), the README stays short and its links resolve, the
command lines shown are ones the CLI accepts, and no page tells history (that is CHANGELOG.md's job)."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.cli import build_parser
from tests.support.paths import README, ROOT

DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
EXAMPLES = DOCS / "examples"
README_MAX_LINES = 200


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    """A broken link or anchor, a page missing from the nav, a missing include: each fails the build."""
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "site" / "fixture" / "index.html").is_file()
    built = (tmp_path / "site" / "fixture" / "index.html").read_text("utf-8")
    assert "--8&lt;--" not in built and "test_dashboard_survives_an_outage" in built  # the include was expanded


def test_the_readme_fits_on_a_screen_or_so() -> None:
    lines = README.read_text("utf-8").count("\n")
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move reference and how-to into docs/"


def test_the_readmes_local_links_resolve() -> None:
    text = README.read_text("utf-8")
    targets = [t for t in re.findall(r"\]\(([^)\s]+)\)", text) if "://" not in t]
    assert targets
    missing = [t for t in targets if not (ROOT / t.split("#")[0]).exists()]
    assert not missing, missing


def test_every_example_file_is_shown_on_a_page() -> None:
    included = "".join(page.read_text("utf-8") for page in PAGES)
    orphans = [p.name for p in sorted(EXAMPLES.iterdir()) if f"docs/examples/{p.name}" not in included]
    assert not orphans, f"examples no page includes (include them, or delete them): {orphans}"


def test_code_on_the_pages_is_included_from_tested_files() -> None:
    """A Python or YAML block typed into a page would not be run by any test: it must come from docs/examples/."""
    typed = []
    for page in PAGES:
        for match in re.finditer(r"```(python|yaml)\n(.*?)```", page.read_text("utf-8"), re.S):
            if not match.group(2).lstrip().startswith("--8<--"):
                typed.append(f"{page.name}: {match.group(2)[:60]!r}")
    assert not typed, typed


def shell_lines() -> Iterator[tuple[str, str]]:
    """(where, command line) for each `teg-emulator ...` line of the README's and the pages' shell blocks and of
    docs/examples/*.sh, continuation lines joined."""
    sources = [README, *PAGES]
    for path in [*sources, *sorted(EXAMPLES.glob("*.sh"))]:
        text = path.read_text("utf-8")
        blocks = [text] if path.suffix == ".sh" else re.findall(r"```(?:sh|bash)\n(.*?)```", text, re.S)
        for block in blocks:
            for line in block.replace("\\\n", " ").splitlines():
                found = re.search(r"(?:^|&& )(?:\.venv/bin/)?(teg-emulator .*)$", line)
                if found:
                    yield path.relative_to(ROOT).as_posix(), found.group(1)


def test_the_documented_command_lines_are_ones_the_cli_accepts(tmp_path: Path, monkeypatch) -> None:
    """Every flag and value shown exists and is valid. Files a command would read are not here, so an argument
    refused only because its file does not exist counts as accepted."""
    monkeypatch.chdir(tmp_path)
    lines = list(shell_lines())
    assert len(lines) > 20
    refused = []
    for where, line in lines:
        words = shlex.split(line, comments=True)
        argv = list(words[1 : next((i for i, w in enumerate(words) if w in ("&", ">", "|")), len(words))])
        stderr = io.StringIO()
        try:
            with contextlib.redirect_stderr(stderr):
                build_parser().parse_args(argv)
        except SystemExit as exit_:
            missing = re.search(r"cannot read (\S+): No such file or directory", stderr.getvalue())
            if not (exit_.code == 2 and missing and missing.group(1) in argv):
                refused.append(f"{where}: {line}\n  {stderr.getvalue().strip()}")
    assert not refused, "\n".join(refused)


HISTORY = re.compile(
    r"\b(this|last|previous|that) session\b|\bsession \d+\b|\bissue #?\d+\b|\bused to\b|\bbefore this change\b"
    r"|\bload average\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize(
    "path", [p for p in [README, *PAGES] if p.name not in ("changelog.md", "benchmarks.md")], ids=lambda p: p.name
)
def test_no_page_tells_history(path: Path) -> None:
    """What changed and when belongs in CHANGELOG.md; measuring conditions belong on the benchmarks page."""
    found = [m.group(0) for m in HISTORY.finditer(path.read_text("utf-8"))]
    assert not found, f"{path.name}: {found}"
