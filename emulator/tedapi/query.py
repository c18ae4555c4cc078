"""Answering a TEDAPI GraphQL query: select from a data document exactly the fields the query names.

A real gateway resolves a signed GraphQL query against its live state. We hold
that state as one plain document (see :mod:`emulator.tedapi.documents`) and
walk the query's selection set over it with graphql-core's parser: aliases
(``pch: components(...)``) name the answer's keys, ``components(filter:
{types: [...]})`` keeps the components of those types, ``signals(names:
[...])`` keeps the named signals in the order asked, and a field we do not
know answers ``null``. Variables come from the request's JSON.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from graphql import FieldNode, GraphQLError, InlineFragmentNode, OperationDefinitionNode, SelectionSetNode, parse
from graphql.utilities import value_from_ast_untyped

MAX_QUERY_BYTES = 32 * 1024
MAX_DEPTH = 16


class QueryRejected(ValueError):
    """The query text cannot be answered (not GraphQL, or not a query); the message says why."""


@lru_cache(maxsize=64)
def operation(text: str) -> OperationDefinitionNode:
    """The one query operation in ``text``; QueryRejected otherwise.

    Cached by text: a client polls the same few signed queries (their signature fixes every byte), and
    parsing pypowerwall's status query was ~80 % of a TEDAPI answer's cost. The tree is only read.
    """
    if len(text) > MAX_QUERY_BYTES:
        raise QueryRejected(f"query text exceeds {MAX_QUERY_BYTES} bytes")
    try:
        document = parse(text, no_location=True, max_tokens=20_000)
    except GraphQLError as exc:
        raise QueryRejected(f"query is not GraphQL: {exc.message}") from None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].operation.value != "query":
        raise QueryRejected("expected exactly one GraphQL query operation")
    return operations[0]


def operation_name(op: OperationDefinitionNode) -> str:
    return op.name.value if op.name else ""


def answer(op: OperationDefinitionNode, data: dict[str, Any], variables: dict[str, Any]) -> dict[str, Any]:
    """The query's answer: ``data`` cut down to the selection set (depth-limited)."""
    return _select(data, op.selection_set, variables, 0)


def _select(data: Any, selection: SelectionSetNode, variables: dict[str, Any], depth: int) -> dict[str, Any]:
    if depth > MAX_DEPTH:
        raise QueryRejected(f"query nests deeper than {MAX_DEPTH} levels")
    result: dict[str, Any] = {}
    for node in selection.selections:
        if isinstance(node, InlineFragmentNode):
            result.update(_select(data, node.selection_set, variables, depth + 1))
            continue
        if not isinstance(node, FieldNode):
            continue  # named fragments: none of the known queries use them
        name = node.name.value
        key = node.alias.value if node.alias else name
        args = {a.name.value: value_from_ast_untyped(a.value, variables) for a in node.arguments or ()}
        value = data.get(name) if isinstance(data, dict) else None
        value = _apply(name, value, args)
        result[key] = _shape(value, node.selection_set, variables, depth)
    return result


def _shape(value: Any, selection: SelectionSetNode | None, variables: dict[str, Any], depth: int) -> Any:
    if selection is None or value is None:
        return value
    if isinstance(value, list):
        return [_shape(item, selection, variables, depth) for item in value]
    if isinstance(value, dict):
        return _select(value, selection, variables, depth + 1)
    return None  # a scalar where the query expects an object


def _apply(name: str, value: Any, args: dict[str, Any]) -> Any:
    """The two argument-taking fields the known queries use."""
    if name == "components" and isinstance(value, list):
        wanted = _strings(args.get("filter", {}).get("types") if isinstance(args.get("filter"), dict) else None)
        return value if wanted is None else [c for c in value if c.get("type") in wanted]
    if name == "signals" and isinstance(value, list):
        names = _strings(args.get("names"))
        if names is None:
            return value
        by_name = {s["name"]: s for s in value}
        return [by_name[n] for n in dict.fromkeys(names) if n in by_name]  # unknown names are dropped
    return value


def _strings(value: Any) -> list[str] | None:
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return None
