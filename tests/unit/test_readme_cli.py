"""The documented command-line summary (docs/cli.md) names exactly the flags `--help` shows, command by command;
and CI runs exactly the test command the README gives."""

from __future__ import annotations

import argparse
import re

from emulator.cli import build_parser
from tests.support.paths import README

CLI_PAGE = README.parent / "docs" / "cli.md"


def documented(known: set[str]) -> dict[str, set[str]]:
    """Command ('serve', 'scenario run', ...) -> the long flags its summary lines name."""
    text = CLI_PAGE.read_text("utf-8")
    block = re.search(r"<!-- cli-summary:start.*?-->\s*```text\n(.*?)```\s*<!-- cli-summary:end -->", text, re.S)
    assert block, "docs/cli.md lost its command-line summary"
    commands: dict[str, set[str]] = {}
    current = ""
    for line in block.group(1).splitlines():
        if line.startswith("teg-emulator"):
            words = line.split()[1:3]
            current = next((" ".join(words[:n]) for n in (2, 1, 0) if " ".join(words[:n]) in known), "")
            commands.setdefault(current, set())
        commands[current] |= set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", line))
    return commands


def actual() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {"": {"--version"}}

    def walk(parser: argparse.ArgumentParser, name: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub, child in action.choices.items():
                    walk(child, f"{name} {sub}".strip())
                return
        found[name] = {
            s
            for a in parser._actions
            if a.help != argparse.SUPPRESS
            for s in a.option_strings
            if s.startswith("--") and s != "--help"
        }

    walk(build_parser(), "")
    return found


def test_the_documented_cli_summary_matches_help_for_every_command():
    flags = actual()
    assert documented(set(flags)) == flags


def test_ci_runs_exactly_the_readmes_test_command():
    text = README.read_text("utf-8")
    command = re.search(r"\*\*Run the checks and every test:\*\*\s*(?:<!--[^>]*-->\s*)?```sh\n(.*?)\n```", text, re.S)
    assert command, "the README lost its test command"
    ci = (README.parent / ".ci" / "run").read_text("utf-8").splitlines()
    assert ci[-1] == command.group(1)
