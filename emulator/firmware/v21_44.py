"""Renderers of firmware 21.44.1 (early 2022), ``renderers: modern_21`` in schemas/firmware/21.44.1.yaml:
HTTPS and cookie logins like 24.4.0 (those facts live in the facts file), plus /api/devices/vitals.

The body shapes are the 21.44 captures' (foogod's full dump, 21.44 223a56cd;
jasonacox's /api/status on 21.44.1 c58c2df3): /api/status still lists
leader/followers and has no teg_type/can_reboot, /api/site_info has no
panel_max_current and names distributor, retailer and region, /api/system_status
lacks the 23.x capability fields, and /api/networks writes ``{"ip","mask"}``.
Firmware up to 23.36 answers /api/devices/vitals with protobuf; 23.44 dropped it.
"""

from __future__ import annotations

from emulator.device.snapshot import Snapshot
from emulator.firmware import modern_data
from emulator.firmware.bodies import Body
from emulator.firmware.modern_bodies import ModernBodies
from emulator.firmware.vitals import render_vitals

_23X_SYSTEM_STATUS = frozenset(
    {
        "instantaneous_max_apparent_power",
        "hardware_capability_charge_power",
        "hardware_capability_discharge_power",
        "available_charger_blocks",
    }
)


class Bodies21(ModernBodies):
    """21.x shapes where the captures show them; everything else as 24.4.0."""

    def status(self, snap: Snapshot) -> Body:
        body = super().status(snap)
        del body["teg_type"], body["can_reboot"]
        cellular = body.pop("cellular_disabled")
        body.update(leader="", followers=None, cellular_disabled=cellular)
        return body

    def site_info(self, snap: Snapshot) -> Body:
        body = super().site_info(snap)
        del body["panel_max_current"]
        code = self.grid_code(snap.config)
        keys = ("grid_code", "grid_voltage_setting", "grid_freq_setting", "grid_phase_setting", "country", "state")
        body["grid_code"] = {k: code[k] for k in (*keys, "distributor", "utility", "retailer", "region")}
        return body

    def system_status(self, snap: Snapshot) -> Body:
        return {k: v for k, v in super().system_status(snap).items() if k not in _23X_SYSTEM_STATUS}

    def networks(self, snap: Snapshot) -> Body:
        return modern_data.networks(snap.disabled_networks)

    def devices_vitals(self, snap: Snapshot) -> bytes:
        return render_vitals(snap, self.meter_readings(snap), self.powerwall_part_number)
