"""A scenario file as data: what was read, where each value sits, and the error that names both.

The YAML reading itself is :mod:`emulator.scenario.yaml_reader`, kept apart so that what only
*holds* scenarios (the served app, the control API, ``teg-emulator serve``) does not import PyYAML
at start-up: reading a file is the one thing that needs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Path_ = tuple[str | int, ...]


class ScenarioError(Exception):
    """A bad scenario file: one line naming the file, the line and the field."""

    def __init__(self, file: str, line: int | None, field: str, problem: str) -> None:
        self.file, self.line, self.field, self.problem = file, line, field, problem
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {field + ': ' if field else ''}{problem}")


MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 32  # mappings and lists inside each other; real scenarios use 4
MAX_ALIASES = 100  # *alias references in one file
MAX_VALUES = 20_000  # values that aliases add once expanded: a "billion laughs" file stops here


@dataclass(frozen=True)
class Source:
    """A scenario file's data and where each value sits in it."""

    file: str
    data: Any
    lines: dict[Path_, int]  # path -> 1-based line of the value
    key_lines: dict[Path_, int]  # path -> 1-based line of the mapping key naming it

    def line(self, path: Path_) -> int | None:
        """The line of the value at ``path``, or of its nearest ancestor that exists."""
        for end in range(len(path), -1, -1):
            found = self.key_lines.get(path[:end]) or self.lines.get(path[:end])
            if found:
                return found
        return None

    def error(self, path: Path_, problem: str) -> ScenarioError:
        return ScenarioError(self.file, self.line(path), field_name(path), problem)


def field_name(path: Path_) -> str:
    """``("events", 3, "at")`` -> ``events[3].at``, as a person reads it."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
