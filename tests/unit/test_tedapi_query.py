"""Selecting a TEDAPI GraphQL query's fields: what a client asks is what it gets, nesting bounded."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.tedapi.query import MAX_DEPTH, QueryRejected, answer, operation

DATA = {
    "control": {"alerts": {"active": ["SystemConnectedToGrid"]}, "meterAggregates": [{"location": "SITE"}]},
    "components": {
        "components": [
            {"type": "MSA", "signals": [{"name": "A", "value": 1}, {"name": "B", "value": 2}]},
            {"type": "PCH", "signals": [{"name": "C", "value": 3}]},
        ]
    },
}


def test_fields_aliases_filters_and_variables_select_what_is_asked():
    op = operation(
        "query Q($names: [String]) { control { alerts { active } sites: meterAggregates { location } nope } "
        "components { msa: components(filter: {types: [MSA]}) { signals(names: $names) { name value } } } }"
    )
    assert answer(op, DATA, {"names": ["B", "unknown", "A"]}) == {
        "control": {"alerts": {"active": ["SystemConnectedToGrid"]}, "sites": [{"location": "SITE"}], "nope": None},
        "components": {"msa": [{"signals": [{"name": "B", "value": 2}, {"name": "A", "value": 1}]}]},
    }


def test_the_same_parsed_query_answers_again_the_same():
    text = "query { control { alerts { active } } }"
    assert operation(text) is operation(text)  # parsed once per text
    assert answer(operation(text), DATA, {}) == answer(operation(text), DATA, {})


def test_nesting_past_the_limit_is_refused_where_the_data_goes_that_deep():
    deep: dict[str, Any] = {"a": None}
    node = deep
    for _ in range(MAX_DEPTH + 2):
        node["a"] = {"a": None}
        node = node["a"]
    text = "query { " + "a { " * (MAX_DEPTH + 3) + "b" + " }" * (MAX_DEPTH + 3) + " }"
    with pytest.raises(QueryRejected, match=f"deeper than {MAX_DEPTH}"):
        answer(operation(text), deep, {})
    assert answer(operation(text), {"a": None}, {}) == {"a": None}  # nothing there to walk into
