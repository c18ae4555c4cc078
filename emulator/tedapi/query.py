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

from graphql import (
    ArgumentNode,
    FieldNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
)
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
    return _select(data, _plan_of(op)[0], variables, 0)


def top_fields(op: OperationDefinitionNode) -> frozenset[str]:
    """The names the query reads from the document's top level (inline fragments' included).

    A document needs no other top-level key to answer the query the same: the walk reads nothing else there.
    So a document builder may leave the rest out (pypowerwall's status query reads 5 of the device
    controller's 8 sections, and none of the components, which took a fifth of a new sample's answer).
    """
    return _plan_of(op)[1]


# A query's selection set as plain tuples, made once per parsed query (the parse is cached by text): each field
# is (name, answer key, its arguments, its own plan or None, whether it takes arguments); an inline fragment has
# name None. Walking these instead of graphql-core's nodes took selecting pypowerwall's 121-field status query
# from 58 to ~20 us, which a gateway pays once per meter sample (~16 us since the walk reads an object's fields
# without a call per value). Deeper than MAX_DEPTH a plan is left empty: a walk that reaches that depth is
# refused (as before, only where the data goes that deep).
_Plan = tuple[tuple[str | None, str, tuple[ArgumentNode, ...], Any, bool], ...]
_PLANS: dict[int, tuple[OperationDefinitionNode, tuple[_Plan, frozenset[str]]]] = {}


def _plan_of(op: OperationDefinitionNode) -> tuple[_Plan, frozenset[str]]:
    """The query's plan and the top-level names it reads (:func:`top_fields`)."""
    found = _PLANS.get(id(op))
    if found is not None and found[0] is op:
        return found[1]
    if len(_PLANS) >= 64:
        _PLANS.clear()
    plan = _compile(op.selection_set, 0)
    made = plan, frozenset(_names(plan))
    _PLANS[id(op)] = (op, made)  # the op is held, so its id cannot name another op while this entry lives
    return made


def _names(plan: _Plan) -> list[str]:
    """The field names a plan reads at its own level: its fields', and its inline fragments' (same level)."""
    names: list[str] = []
    for name, _key, _arguments, sub, _takes in plan:
        names.extend(_names(sub) if name is None else (name,))
    return names


def _compile(selection: SelectionSetNode, depth: int) -> _Plan:
    if depth > MAX_DEPTH:
        return ()
    plan: list[tuple[str | None, str, tuple[ArgumentNode, ...], Any, bool]] = []
    for node in selection.selections:
        if isinstance(node, InlineFragmentNode):
            plan.append((None, "", (), _compile(node.selection_set, depth + 1), False))
        elif isinstance(node, FieldNode):  # named fragments: none of the known queries use them
            name = node.name.value
            sub = _compile(node.selection_set, depth + 1) if node.selection_set is not None else None
            arguments = tuple(node.arguments or ())
            takes = bool(arguments) or name in _TAKES_ARGUMENTS
            plan.append((name, node.alias.value if node.alias else name, arguments, sub, takes))
    return tuple(plan)


def _select(data: Any, plan: _Plan, variables: dict[str, Any], depth: int) -> dict[str, Any]:
    if depth > MAX_DEPTH:
        raise QueryRejected(f"query nests deeper than {MAX_DEPTH} levels")
    result: dict[str, Any] = {}
    get = data.get if isinstance(data, dict) else _absent
    for name, key, arguments, sub, takes in plan:
        if name is None:
            result.update(_select(data, sub, variables, depth + 1))
            continue
        value = get(name)
        if takes:
            args = {a.name.value: value_from_ast_untyped(a.value, variables) for a in arguments}
            value = _apply(name, value, args)
        if sub is None or value is None:
            result[key] = value
        elif isinstance(value, dict):  # what _shape does, without its call: most nested values are objects
            result[key] = _select(value, sub, variables, depth + 1)
        else:
            result[key] = _shape(value, sub, variables, depth)
    return result


def _absent(_name: str) -> None:
    """A field read from a value that is not an object: null."""
    return None


def _shape(value: Any, plan: _Plan, variables: dict[str, Any], depth: int) -> Any:
    if value is None:
        return value
    if isinstance(value, list):
        return [_shape(item, plan, variables, depth) for item in value]
    if isinstance(value, dict):
        return _select(value, plan, variables, depth + 1)
    return None  # a scalar where the query expects an object


_TAKES_ARGUMENTS = frozenset({"components", "signals"})


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
