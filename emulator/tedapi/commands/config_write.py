"""config.json writes (``filestore.update_file_request``), normalised as the gateway normalises them.

A client reads config.json with its hash, changes some keys and sends the whole document back with that
hash: a hash that is not the one of the file as it is now is refused (someone wrote in between), and the
file stays as it was. What a write does:

- a key set to ``false`` is dropped (the gateway keeps ``disallow_charge_from_grid_with_solar_installed``
  and ``on_grid_solar_curtailment_enabled`` only while true); ``storm_mode_enabled`` is acknowledged and
  not kept;
- the keys the gateway acts on drive the model: ``default_real_mode`` (the operation mode),
  ``site_info.backup_reserve_percent`` (the reserve, on the raw scale), ``site_info.site_name``, the export
  rule, grid charging, solar curtailment and the site meter's import and export limits (kW, export
  negative); each is checked first, and a bad one refuses the whole write;
- keys the gateway does not know (``strategy.TOU_mode``, ...) are kept as written and read back;
- keys describing the hardware (``vin``, ``battery_blocks``, ``meters``, ...) are the gateway's own and
  keep their values whatever the document says.
"""

from __future__ import annotations

import json
from typing import Any

from emulator.device import commands
from emulator.device.errors import bad_request, error, not_found
from emulator.device.site_controls import NO_LIMIT_KW, GridSettings
from emulator.device.snapshot import Operation
from emulator.http.door import parse_json
from emulator.model import AUTONOMOUS, BACKUP, BATTERY_OK, EXPORT_RULES, SELF_CONSUMPTION
from emulator.tedapi import config_document
from emulator.tedapi import teg_emulator_tedapi_pb2 as pb
from emulator.tedapi.commands.reads import CONFIG_DOMAIN, CONFIG_NAME, blob_hash, config_blob
from emulator.tedapi.dispatch import Call, command

MODES = (SELF_CONSUMPTION, AUTONOMOUS, BACKUP)  # what config.json's default_real_mode takes
ACKNOWLEDGED_NOT_KEPT = ("storm_mode_enabled",)
MAX_SITE_NAME = 100
_ACTED_ON = {
    "default_real_mode",
    *ACKNOWLEDGED_NOT_KEPT,
    "site_info.backup_reserve_percent",
    "site_info.site_name",
    "site_info.customer_preferred_export_rule",
    "site_info.disallow_charge_from_grid_with_solar_installed",
    "site_info.on_grid_solar_curtailment_enabled",
    "site_info.max_site_meter_power_ac",
    "site_info.min_site_meter_power_ac",
}


@command("filestore", "update_file_request", writes=True)
def update_file(call: Call, request: pb.FileUpdateRequest, reply: pb.Envelope) -> None:
    if request.file.name != CONFIG_NAME and request.domain != CONFIG_DOMAIN:
        raise not_found("file", request.file.name)
    current = config_blob(call)
    if not request.hash or request.hash != blob_hash(current):
        raise error("config_hash_stale")
    written = parse_json(request.file.blob)
    if not isinstance(written, dict):
        raise bad_request("config.json must be a JSON object")
    written = _without_false(written)
    own = config_document.own_config(call.site, call.snap)
    operation, grid, site_name = _acted_on(call, written, _extras(written, own, ""))
    commands.write_config(call.gateway, operation, grid, site_name)
    blob = config_blob(call.refreshed())
    content = reply.filestore.update_file_response
    content.file.name = CONFIG_NAME
    content.file.blob = blob
    content.hash = blob_hash(blob)


def _without_false(value: Any) -> Any:
    """The document with every object key whose value is ``false`` dropped (lists are left as they are)."""
    if isinstance(value, dict):
        return {k: _without_false(v) for k, v in value.items() if v is not False}
    return value


def _extras(written: dict[str, Any], base: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The keys of ``written`` that the gateway neither has nor acts on: kept as written."""
    kept: dict[str, Any] = {}
    for key, value in written.items():
        path = prefix + key
        if path in _ACTED_ON:
            continue
        if key not in base:
            kept[key] = value
        elif isinstance(value, dict) and isinstance(base[key], dict):
            inner = _extras(value, base[key], path + ".")
            if inner:
                kept[key] = inner
    return kept


def _acted_on(call: Call, doc: dict[str, Any], extras: dict[str, Any]) -> tuple[Operation, GridSettings, str | None]:
    """The operation and grid settings the document asks for, each key checked; a 400 names the first bad one."""
    site = doc.get("site_info", {})
    if not isinstance(site, dict):
        raise bad_request("site_info must be an object")
    now = call.snap.operation
    mode = doc.get("default_real_mode", now.mode)
    if mode not in MODES:
        raise bad_request(f"default_real_mode must be one of {', '.join(MODES)}, not {mode!r}")
    reserve = _number(site, "backup_reserve_percent", now.backup_reserve_percent, 0.0, 100.0)
    rule = site.get("customer_preferred_export_rule", BATTERY_OK)
    if rule not in EXPORT_RULES:
        raise bad_request(f"site_info.customer_preferred_export_rule must be one of {', '.join(EXPORT_RULES)}")
    grid = GridSettings(
        export_rule=rule,
        grid_charging=not _flag(site, "disallow_charge_from_grid_with_solar_installed"),
        solar_curtailment=_flag(site, "on_grid_solar_curtailment_enabled"),
        import_limit_kw=_number(site, "max_site_meter_power_ac", NO_LIMIT_KW, 0.0, NO_LIMIT_KW),
        export_limit_kw=-_number(site, "min_site_meter_power_ac", -NO_LIMIT_KW, -NO_LIMIT_KW, 0.0),
        extras=json.dumps(extras, separators=(",", ":")),
    )
    name = site.get("site_name")
    if name is not None and not (isinstance(name, str) and 0 < len(name) <= MAX_SITE_NAME):
        raise bad_request(f"site_info.site_name must be text of 1 to {MAX_SITE_NAME} characters")
    return Operation(mode, reserve), grid, name


def _number(site: dict[str, Any], key: str, default: float, low: float, high: float) -> float:
    value = site.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise bad_request(f"site_info.{key} must be a number from {low:g} to {high:g}, not {value!r}")
    return value


def _flag(site: dict[str, Any], key: str) -> bool:
    value = site.get(key, False)
    if not isinstance(value, bool):
        raise bad_request(f"site_info.{key} must be true or false, not {value!r}")
    return value
