"""The fault kinds are declared once (emulator.http.fault_kinds.KINDS): what lists them elsewhere must agree.

The control API's schema for a rule (its ``kind`` and ``preset`` enums, which the control panel reads to fill
its lists) and the faults page are checked against the registry, so a kind added in one place and not the
others fails here, naming the place.
"""

from __future__ import annotations

import re

from emulator import contract
from emulator.http.fault_kinds import KINDS
from emulator.http.faults import PRESETS
from emulator.tedapi import routes  # registers the TEDAPI v1r kinds, as every served app does with its routes
from tests.support.paths import ROOT


def test_the_rule_schema_lists_exactly_the_registered_kinds_and_presets() -> None:
    assert "v1r_fault" in KINDS, f"{routes.__name__} registers the v1r kinds"
    properties = contract.schema("control/fault.json")["properties"]
    assert properties["kind"]["enum"] == list(KINDS)
    assert properties["preset"]["enum"] == list(PRESETS)


def test_the_faults_page_documents_every_registered_kind_with_its_fields() -> None:
    page = (ROOT / "docs" / "faults.md").read_text()
    rows = re.findall(r"^\| `(\w+)`( \([^|]*\))? \|", page, re.M)
    assert [name for name, _ in rows] == list(KINDS)
    for name, fields in rows:
        for field in KINDS[name].fields:
            assert f"`{field}`" in fields or field == "body", f"docs/faults.md: {name} does not name {field}"


def test_the_control_panel_takes_its_kinds_from_the_schema_not_a_list_of_its_own() -> None:
    page = (ROOT / "emulator" / "web" / "pages" / "control.html").read_text()
    script = (ROOT / "emulator" / "web" / "static" / "control.js").read_text()
    assert not any(f'<option value="{kind}"' in page for kind in KINDS)
    assert "/_emulator/schemas/control/fault.json" in script


def test_the_control_panel_has_an_input_for_every_field_a_kind_reads() -> None:
    """control.js's FAULT_FIELDS sends each field a kind reads, from an input its page shows for that kind."""
    page = (ROOT / "emulator" / "web" / "pages" / "control.html").read_text()
    script = (ROOT / "emulator" / "web" / "static" / "control.js").read_text()
    table = re.search(r"const FAULT_FIELDS = \{\n(.*?)\n  \};", script, re.S)
    assert table, "control.js lost its FAULT_FIELDS table"
    sent = {
        kind: re.findall(r'\["([\w-]+)", "(\w+)", \w+\]', fields)
        for kind, fields in re.findall(r"^\s+(\w+): \[(.*)\],$", table.group(1), re.M)
    }
    shown = {
        input_id: kinds.split()
        for kinds, label in re.findall(r'<label data-kinds="([\w ]+)">(.*?)</label>', page, re.S)
        for input_id in re.findall(r'<(?:input|select) id="([\w-]+)"', label)
    }
    for name, kind in KINDS.items():
        wanted = set(kind.fields) - {"preset", "body"}  # the preset has its own list; a body is the API's alone
        assert {field for _, field in sent.get(name, [])} >= wanted, f"control.js: {name} does not send {wanted}"
        for input_id, field in sent.get(name, []):
            assert name in shown.get(input_id, []), f"control.html: #{input_id} ({field}) is not shown for {name}"


def test_every_preset_answers_with_the_served_firmwares_own_text(make_client) -> None:
    """rate_limited and token_expired name facts keys: each firmware's own 429 and stale-token answers."""
    for firmware in contract.firmware_facts():
        client = make_client(firmware=firmware)
        facts = contract.facts_for(firmware)
        for preset, key in (("rate_limited", "throttled"), ("token_expired", "invalid_credentials")):
            spec = {"path": "/api/meters/aggregates", "kind": "status", "preset": preset, "count": 1}
            added = client.post("/_emulator/faults", json=spec)
            assert added.status_code == 201, (firmware, added.text)
            answer = client.get("/api/meters/aggregates")
            text = getattr(facts, key)
            if text is not None:
                assert (answer.status_code, answer.json()) == (text.status, text.body())
            else:
                assert answer.status_code == 429
