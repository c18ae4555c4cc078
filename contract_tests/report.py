"""A conformance report a person can read and share: per endpoint and check, PASS/FAIL/SKIP.

Used by ``teg-emulator verify`` as a pytest plugin object: it listens to the run, then
writes Markdown with the target's firmware and model, every result with the offending
field and value, the run's notes (e.g. sitemaster restarted after a 1.15.0 login) and,
for a real gateway, where its answers differ in shape from the emulator's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from contract_tests.conftest import TARGETS
from contract_tests.shapes import differences
from contract_tests.target import CONTROL, Target


@dataclass
class Result:
    target: str
    area: str
    endpoint: str
    check: str
    outcome: str  # PASS | FAIL | SKIP
    detail: str = ""


@dataclass(eq=False)  # pytest registers plugins in sets: identity hashing
class ReportPlugin:
    tiers: str = "read-only"
    results: list[Result] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    unreachable: str | None = None

    # -- pytest hooks ------------------------------------------------------------------------
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or (report.when == "setup" and not report.passed):
            outcome = {"passed": "PASS", "failed": "FAIL", "skipped": "SKIP"}[report.outcome]
            self.results.append(self._result(report, outcome))
        elif report.when == "teardown" and report.failed:
            self.results.append(self._result(report, "FAIL"))

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        """pytest.exit() lands here too: the suite gave up on the target (unreachable, wrong password)."""
        self.unreachable = str(getattr(excinfo.value, "msg", excinfo.value))

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        found = session.config.stash.get(TARGETS, None)
        self.targets = list(found) if found is not None else []

    def _result(self, report: pytest.TestReport, outcome: str) -> Result:
        meta = dict(report.user_properties)
        return Result(
            target=str(meta.get("target", "")),
            area=str(meta.get("area", "")),
            endpoint=str(meta.get("endpoint", "")),
            check=str(meta.get("check", report.nodeid)),
            outcome=outcome,
            detail=_detail(report),
        )

    # -- the report ----------------------------------------------------------------------------
    def markdown(self, shapes: dict[str, list[str]] | None = None) -> str:
        lines = [
            "# TEG contract report",
            "",
            f"Generated {datetime.now(UTC):%Y-%m-%d %H:%M UTC} by `teg-emulator verify`.",
            "",
        ]
        if self.unreachable:
            return "\n".join(
                [*lines, "**The gateway could not be tested; nothing was checked.**", "", f"    {self.unreachable}", ""]
            )
        counts = {k: sum(r.outcome == k for r in self.results) for k in ("PASS", "FAIL", "SKIP")}
        verdict = "CONFORMS" if counts["FAIL"] == 0 and counts["PASS"] else "DOES NOT CONFORM"
        lines += [
            f"**{verdict}**: {counts['PASS']} passed, {counts['FAIL']} failed, {counts['SKIP']} skipped; tiers: {self.tiers}.",
            "",
        ]
        for target in self.targets:
            lines += self._target_section(target, shapes or {})
        return "\n".join(lines) + "\n"

    def _target_section(self, target: Target, shapes: dict[str, list[str]]) -> list[str]:
        lines = [f"## {target.name}", "", "| | |", "|---|---|"]
        lines += [f"| firmware | `{target.version.strip()}` (contract profile {target.facts.version}) |"]
        lines += [
            f"| model | {_model(target)} |",
            f"| requests sent | {target.client.used} (pace {target.client.pace_s:g} s) |",
        ]
        lines += [f"| kind | {'emulator (control API available)' if target.has(CONTROL) else 'real gateway'} |", ""]
        if target.notes:
            lines += ["### Notes", "", *[f"- {note}" for note in target.notes], ""]
        mine = [r for r in self.results if r.target == _key(target)]
        failed = [r for r in mine if r.outcome == "FAIL"]
        if failed:
            lines += ["### Failures", ""]
            for r in failed:
                lines += [
                    f"- **{r.endpoint or r.area}** — {r.check}",
                    "",
                    "  ```",
                    *[f"  {d}" for d in r.detail.splitlines()],
                    "  ```",
                    "",
                ]
        lines += ["### Every check", "", "| area | endpoint | check | result | detail |", "|---|---|---|---|---|"]
        for r in sorted(mine, key=lambda r: (r.area, r.endpoint, r.check)):
            detail = r.detail.splitlines()[0] if r.detail else ""
            lines.append(f"| {r.area} | {r.endpoint} | {r.check} | {r.outcome} | {_cell(detail)} |")
        lines.append("")
        diffs = shapes.get(target.name)
        if diffs is not None:
            lines += ["### Differences from the emulator's answer shape", ""]
            lines += diffs or ["None: every body has the fields and types the emulator answers."]
            lines.append("")
        return lines


def _key(target: Target) -> str:
    return "gateway" if not target.has(CONTROL) else target.facts.version


def _model(target: Target) -> str:
    body = target.client.observed.get("/api/status", {})
    parts = [str(body.get(k)) for k in ("device_type", "din") if body.get(k)]
    walls = target.client.observed.get("/api/powerwalls", {}).get("powerwalls", [])
    if walls:
        parts.append(f"{len(walls)} Powerwall(s) {', '.join(sorted({str(w.get('PackagePartNumber')) for w in walls}))}")
    return "; ".join(parts) or "unknown"


def _detail(report: pytest.TestReport) -> str:
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    if report.failed:
        crash = getattr(report.longrepr, "reprcrash", None)
        message = crash.message if crash is not None else str(report.longrepr)
        return message.removeprefix("AssertionError: ").split("\nassert ")[0]
    return ""


def _cell(text: str) -> str:
    text = text.replace("|", "\\|")
    return text if len(text) <= 160 else text[:157] + "..."


def shape_differences(target: Target, emulator_bodies: dict[str, Any]) -> list[str]:
    lines = []
    for path in sorted(target.client.observed.keys() & emulator_bodies.keys()):
        found = differences(target.client.observed[path], emulator_bodies[path])
        if found:
            lines += [f"#### GET {path}", "", *[f"- {line}" for line in found], ""]
    return lines


def write(path: str | Path, text: str) -> None:
    Path(path).write_text(text, encoding="utf-8")
