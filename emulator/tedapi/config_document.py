"""config.json: the configuration the gateway stores, as TEDAPI clients read it and v1r clients write it.

It is a different kind of document from the live data tree (:mod:`emulator.tedapi.documents`): the site's
settings and hardware, not its readings, read whole by ``config_read`` and rewritten by ``config_write``,
which needs the gateway's own keys apart from those a client added (:func:`own_config`).
"""

from __future__ import annotations

from emulator.device.snapshot import Snapshot
from emulator.firmware.bodies import Bodies
from emulator.firmware.formats import rfc3339nano
from emulator.tedapi.documents import Doc
from emulator.tedapi.hardware import Site


def config_json(site: Site, snap: Snapshot) -> Doc:
    """config.json as the gateway stores it (the parts clients read, and the keys clients wrote to it)."""
    return _with_extras(own_config(site, snap), snap.site_controls.grid.extra_keys())


def _with_extras(doc: Doc, extras: Doc) -> Doc:
    """``doc`` with the keys a client wrote that the gateway keeps without acting on (never one of its own)."""
    for key, value in extras.items():
        if isinstance(value, dict) and isinstance(doc.get(key), dict):
            _with_extras(doc[key], value)
        elif key not in doc:
            doc[key] = value
    return doc


def own_config(site: Site, snap: Snapshot) -> Doc:
    """config.json's keys the gateway itself has (its hardware, its settings), without any a client added."""
    cfg, grid = snap.config, snap.site_controls.grid
    op = snap.staged_operation or snap.operation  # what GET /api/operation shows
    code = Bodies.grid_code(cfg)
    if site.pw3:
        expansions = [{"din": p.din} for p in site.packs if p.expansion]
        blocks = [{"vin": site.leader.din, "type": "Powerwall3", "battery_expansions": expansions}]
    else:
        blocks = [{"vin": p.din, "type": "acpw", "battery_expansions": []} for p in site.packs]
    return {
        "vin": site.din,
        "auto_meter_update": True,
        "battery_blocks": blocks,
        "default_real_mode": op.mode,
        "site_info": {
            "site_name": snap.site_name,
            "timezone": cfg.timezone,
            "backup_reserve_percent": op.backup_reserve_percent,
            "nominal_system_energy_ac": cfg.battery_capacity_wh * cfg.powerwalls / 1000.0,
            "nominal_system_power_ac": cfg.total_max_power_w / 1000.0,
            "max_site_meter_power_ac": grid.import_limit_kw,
            "min_site_meter_power_ac": -grid.export_limit_kw,
            "customer_preferred_export_rule": grid.export_rule,
            # the gateway keeps these two only while true
            **({} if grid.grid_charging else {"disallow_charge_from_grid_with_solar_installed": True}),
            **({"on_grid_solar_curtailment_enabled": True} if grid.solar_curtailment else {}),
            "grid_code": code["grid_code"],
            "country": code["country"],
            "state": code["state"],
            "utility": code.get("utility", ""),
            "panel_max_current": 100,
            "battery_commission_date": rfc3339nano(snap.started_at, snap.zone),
        },
        "solars": [{"brand": "Tesla", "model": "Solar Inverter", "power_rating_watts": cfg.pv_rating_w}],
        "meters": [
            {
                "location": "site",
                "type": "synchrometerX",
                "cts": [True, True, False, False],
                "inverted": [False, False, False, False],
                "connection": {"short_id": site.din, "device_serial": snap.identity.meter_serial},
                "real_power_scale_factor": 1,
            }
        ],
        "customer": {"registered": True},
        "installer": {"company": "Clean Solar"},
    }
