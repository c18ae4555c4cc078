"""Reading a scenario file: YAML into plain data, with the line of every value kept.

The file is composed into PyYAML nodes first, so that every JSON-pointer-like
path (``("events", 3, "at")``) maps to the line it came from; schema errors
and semantic errors alike then name the file, the line and the field.

Times are YAML 1.1's trap: unquoted ``22:05`` is the integer 1325 and
``2026-07-01T07:15`` a datetime. This loader resolves neither, so times stay
the strings the author wrote.

Nesting, aliases and their expanded size are bounded while the file is composed, before anything
expands (a "billion laughs" file is one line and exit code 2, not gigabytes).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from emulator.scenario.source import (
    MAX_ALIASES,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_VALUES,
    Path_,
    ScenarioError,
    Source,
    field_name,
)


class _Loader(yaml.SafeLoader):
    """SafeLoader without sexagesimal numbers and timestamps (YAML 1.2 behaviour for those),
    and with nesting and aliases bounded while the file is composed, before anything expands."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0
        self._open: list[str | None] = []  # anchors of the collections being composed

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _Refused(event.start_mark, f"more than {MAX_ALIASES} aliases")
            if event.anchor in self._open:
                raise _Refused(event.start_mark, f"alias *{event.anchor} refers to itself")
            return super().compose_node(parent, index)
        collection = isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent)
        if collection:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise _Refused(event.start_mark, f"nested deeper than {MAX_DEPTH} levels")
            self._open.append(getattr(event, "anchor", None))
        try:
            return super().compose_node(parent, index)
        finally:
            if collection:
                self._depth -= 1
                self._open.pop()


class _Refused(Exception):
    def __init__(self, mark: Any, problem: str) -> None:
        super().__init__(problem)
        self.line = mark.line + 1 if mark is not None else None
        self.problem = problem


def _alias_growth(root: yaml.Node) -> tuple[int, int]:
    """(values, depth) that aliases add to the document, in time linear in its nodes.

    What the file says once is bounded by its size (1 MiB); what aliases add is not: each ``*a``
    repeats the whole of what ``&a`` names, and ten aliases of ten aliases of ... grow
    exponentially (a "billion laughs"). So the budget counts the expanded document minus the
    nodes written in the file: a plain 30,000-event scenario adds nothing, a bomb adds ~10**8.
    Sizes stop growing past the budget, so the integers stay small however big the bomb.
    """
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in size:
            continue
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        if not done:
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in size)
            continue
        size[id(node)] = 1 + sum(size[id(c)] for c in children)
        if size[id(node)] > len(size) + MAX_VALUES:  # already more than the budget on top of every node so far
            return MAX_VALUES + 1, 0
        depth[id(node)] = 1 + max((depth[id(c)] for c in children), default=0)
    return size[id(root)] - len(size), depth[id(root)]


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def read(path: str | Path, shown_as: str | None = None) -> Source:
    name = shown_as or str(path)
    try:
        if Path(path).stat().st_size > MAX_FILE_BYTES:
            raise ScenarioError(
                name, None, "", f"the file is larger than {MAX_FILE_BYTES // 1024} KiB; a scenario is a few"
            )
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(name, None, "", f"cannot read the file: {getattr(exc, 'strerror', None) or exc}") from None
    return parse(text, name)


def parse(text: str, file: str) -> Source:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise ScenarioError(file, 1, "", "the file is empty; a scenario is a YAML mapping")
        added, depth = _alias_growth(node)
        if added > MAX_VALUES or depth > MAX_DEPTH + 1:
            raise ScenarioError(
                file, None, "", f"aliases add more than {MAX_VALUES} values or nest deeper than {MAX_DEPTH} levels"
            )
        lines: dict[Path_, int] = {}
        key_lines: dict[Path_, int] = {}
        _index(node, (), lines, key_lines, _Scalars(loader, file))
        data = loader.construct_document(node)
    except _Refused as exc:
        raise ScenarioError(file, exc.line, "", exc.problem) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ScenarioError(file, line, "", f"YAML syntax error: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(file, None, "", f"YAML error: {exc}") from None
    finally:
        loader.dispose()
    return Source(file, data, lines, key_lines)


_JSON_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map", "merge")
)


class _Scalars:
    """Reads each scalar once, before the document is built, so a value YAML cannot make is refused by field.

    A scenario is JSON-shaped data. Tags such as ``!!timestamp`` or ``!!binary`` make other types,
    and their constructors raise bare Python errors (``day is out of range for month``,
    ``invalid literal for int()``) that would name neither the file nor the field.
    """

    def __init__(self, loader: _Loader, file: str) -> None:
        self.loader, self.file = loader, file

    def check(self, node: yaml.Node, path: Path_) -> None:
        if node.tag not in _JSON_TAGS:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            raise ScenarioError(
                self.file,
                node.start_mark.line + 1,
                field_name(path),
                f"the {tag} tag is not read here: a scenario holds text, numbers, true/false, lists and mappings"
                + (" (write times as plain text, such as 2026-07-01T00:00)" if tag == "!!timestamp" else ""),
            )
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith((":int", ":float")):
            try:
                self.loader.construct_object(node)
            except (ValueError, OverflowError):
                kind = "a whole number" if node.tag.endswith(":int") else "a number"
                raise ScenarioError(
                    self.file, node.start_mark.line + 1, field_name(path), f"{node.value!r} is not {kind}"
                ) from None


def _index(
    node: yaml.Node, path: Path_, lines: dict[Path_, int], key_lines: dict[Path_, int], scalars: _Scalars
) -> None:
    lines[path] = node.start_mark.line + 1
    scalars.check(node, path)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else str(key.start_mark)
            if name in seen:
                raise ScenarioError(scalars.file, key.start_mark.line + 1, field_name((*path, name)), "duplicate key")
            seen.add(name)
            key_lines[(*path, name)] = key.start_mark.line + 1
            scalars.check(key, (*path, name))
            _index(value, (*path, name), lines, key_lines, scalars)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, (*path, i), lines, key_lines, scalars)
