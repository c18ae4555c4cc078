"""Response bodies as firmware 21.x-24.x write them (field sets and order from real captures).

Compared with 1.15.0: four aggregate meters with per-phase and timing fields,
a modern /api/sitemaster and /api/status, /api/system_status with battery
blocks, nested grid codes in /api/site_info, `real_mode` in /api/operation,
and a cookie login that reports its login time.
"""

from __future__ import annotations

import json
from datetime import tzinfo
from typing import Any

from emulator.device.sessions import Session
from emulator.device.snapshot import GridFault, Operation, Snapshot
from emulator.firmware import modern_data
from emulator.firmware.bodies import Bodies, Body, Renderer
from emulator.firmware.formats import GO_ZERO_TIME, epoch_ms, go_duration, rfc3339nano, start_time

POWERWALL2_PART = "3012170-05-B"
_METER_TIMEOUT_NS = 1_500_000_000
_PER_PACK_INSTANT_DISCHARGE_W = 12_000
_PER_PACK_INSTANT_CHARGE_W = 7_000
_PER_PACK_APPARENT_W = 5_760
_PER_PACK_USABLE_W = 5_800


class ModernBodies(Bodies):
    aggregate_meters = ("site", "battery", "load", "solar")
    powerwall_part_number = POWERWALL2_PART

    def snapshot_renderers(self) -> dict[str, Renderer]:
        return {
            **super().snapshot_renderers(),
            "system_status": self.system_status,
            "meters.site": self.meters_site,
            "meters.solar": self.meters_solar,
            "solar_powerwall": self.solar_powerwall,
        }

    # -- live data -----------------------------------------------------------
    def meter(self, name: str, reading: dict[str, float], energy: tuple[float, float], when: str) -> dict[str, Any]:
        old = super().meter(name, reading, energy, when)
        current = old["instant_total_current"]
        body: dict[str, Any] = {
            "last_communication_time": when,
            "instant_power": old["instant_power"],
            "instant_reactive_power": old["instant_reactive_power"],
            "instant_apparent_power": old["instant_apparent_power"],
            "frequency": old["frequency"],
            "energy_exported": old["energy_exported"],
            "energy_imported": old["energy_imported"],
            "instant_average_voltage": old["instant_average_voltage"],
            "instant_average_current": current,
            "i_a_current": 0,
            "i_b_current": 0,
            "i_c_current": 0,
            "last_phase_voltage_communication_time": GO_ZERO_TIME,
            "last_phase_power_communication_time": GO_ZERO_TIME,
            "last_phase_energy_communication_time": GO_ZERO_TIME,
            "timeout": _METER_TIMEOUT_NS,
        }
        if name != "load":  # real gateways leave it off the load meter
            body["num_meters_aggregated"] = 1
        body["instant_total_current"] = current
        return body

    def aggregates(self, snap: Snapshot) -> Body:
        body = super().aggregates(snap)
        body["battery"]["num_meters_aggregated"] = snap.config.powerwalls
        return body

    def grid_status(self, snap: Snapshot) -> Body:
        return {"grid_status": snap.grid_status, "grid_services_active": snap.grid_services_active}

    def grid_faults(self, snap: Snapshot) -> Body:
        return [self._fault(snap, fault) for fault in snap.grid_faults]

    def _fault(self, snap: Snapshot, fault: GridFault) -> dict[str, Any]:
        decoded = [
            {"name": "PINV_alertID", "value": fault.alert_name},
            {"name": "PINV_alertType", "value": "Warning"},
            {"name": "PINV_a010_vfCheckUnderVoltage_Va", "value": 0, "units": "Vac"},
        ]
        return {
            "timestamp": epoch_ms(fault.t),
            "alert_name": fault.alert_name,
            "alert_is_fault": False,
            "decoded_alert": json.dumps(decoded, separators=(",", ":")),
            "alert_raw": 1_234_567_890_123_456_789,
            "git_hash": snap.git_hash[:14],
            "site_uid": snap.identity.din,
            "ecu_type": "TEPINV",
            "ecu_package_part_number": "1081100-22-U",
            "ecu_package_serial_number": snap.identity.powerwall_serials[0],
        }

    def system_status(self, snap: Snapshot) -> Body:
        n, flows = snap.config.powerwalls, snap.flows
        full, remaining = snap.state.full_wh, snap.state.energy_wh
        connected = snap.grid_connected
        limit = float(snap.config.total_max_power_w)
        return {
            "command_source": "Configuration",
            "battery_target_power": flows.battery_w,
            "battery_target_reactive_power": 0,
            "nominal_full_pack_energy": int(round(full)),
            "nominal_energy_remaining": int(round(remaining)),
            "max_power_energy_remaining": 0,
            "max_power_energy_to_be_charged": 0,
            "max_charge_power": limit,
            "max_discharge_power": limit,
            "max_apparent_power": limit,
            "instantaneous_max_discharge_power": _PER_PACK_INSTANT_DISCHARGE_W * n,
            "instantaneous_max_charge_power": _PER_PACK_INSTANT_CHARGE_W * n,
            "instantaneous_max_apparent_power": _PER_PACK_APPARENT_W * n,
            "hardware_capability_charge_power": 0,
            "hardware_capability_discharge_power": 0,
            "grid_services_power": 0,
            "system_island_state": snap.grid_status,
            "available_blocks": n,
            "available_charger_blocks": 0,
            "battery_blocks": self.battery_blocks(snap),
            "ffr_power_availability_high": _PER_PACK_USABLE_W * n,
            "ffr_power_availability_low": _PER_PACK_USABLE_W * n,
            "load_charge_constraint": 0,
            "max_sustained_ramp_rate": 2_700_000,
            "grid_faults": self.grid_faults(snap),
            "can_reboot": "Yes" if abs(flows.battery_w) < 1_000 else "Power flow is too high",
            "smart_inv_delta_p": 0,
            "smart_inv_delta_q": 0,
            "last_toggle_timestamp": rfc3339nano(snap.sitemaster_since, snap.zone),
            "solar_real_power_limit": flows.solar_w if flows.curtailed_w > 0 or not connected else -1,
            "score": 10000,
            "blocks_controlled": n,
            "primary": True,
            "auxiliary_load": 0,
            "all_enable_lines_high": True,
            "inverter_nominal_usable_power": _PER_PACK_USABLE_W * n,
            "expected_energy_remaining": 0,
        }

    def battery_blocks(self, snap: Snapshot) -> list[dict[str, Any]]:
        state, flows = snap.state, snap.flows
        total_full = state.full_wh
        counters = state.counters
        islanded = not snap.grid_connected
        voltage = snap.config.nominal_voltage_v * 1.015
        blocks = []
        for serial, pack_full in zip(snap.identity.powerwall_serials, state.pack_full_wh, strict=True):
            share = pack_full / total_full
            p_out = flows.battery_w * share
            blocks.append(
                {
                    "Type": "",
                    "PackagePartNumber": self.powerwall_part_number,
                    "PackageSerialNumber": serial,
                    "disabled_reasons": [],
                    "pinv_state": "PINV_GridForming" if islanded else "PINV_GridFollowing",
                    "pinv_grid_state": "Grid_Uncompliant" if not snap.grid_utility_up else "Grid_Compliant",
                    "nominal_energy_remaining": int(round(state.energy_wh * share)),
                    "nominal_full_pack_energy": int(pack_full),
                    "p_out": p_out,
                    "q_out": 20 if p_out else 0,
                    "v_out": voltage,
                    "f_out": snap.config.nominal_frequency_hz + 0.008,
                    "i_out": abs(p_out) / voltage,
                    "energy_charged": int(counters.battery_imported_wh * share),
                    "energy_discharged": int(counters.battery_exported_wh * share),
                    "off_grid": islanded,
                    "vf_mode": islanded,
                    "wobble_detected": False,
                    "charge_power_clamped": False,
                    "backup_ready": True,
                    "OpSeqState": "Active" if snap.sitemaster_running else "Standby",
                    "version": snap.git_hash[:14],
                }
            )
        return blocks

    def meters_site(self, snap: Snapshot) -> Body:
        return [self._cached_meter(snap, 0, "site", "synchrometerX", [True, True, False, False])]

    def meters_solar(self, snap: Snapshot) -> Body:
        return [self._cached_meter(snap, 1, "solar", "synchrometerY", [False, False, True, False])]

    def _cached_meter(self, snap: Snapshot, index: int, location: str, kind: str, cts: list[bool]) -> dict[str, Any]:
        readings = self.meter_readings(snap)[location]
        energy = self.meter_energy(snap)[location]
        when = rfc3339nano(snap.t, snap.zone)
        cached = self.meter(location, readings, energy, when)
        half_v = readings["v"] / 2
        phases = ("a", "b") if cts[0] else ("b",)
        for phase in phases:
            share = 1 / len(phases)
            cached[f"real_power_{phase}"] = readings["p"] * share
            cached[f"reactive_power_{phase}"] = readings["q"] * share
            cached[f"i_{phase}_current"] = abs(readings["p"] * share) / half_v if half_v else 0.0
        for leg, phase in (("v_l1n", "a"), ("v_l2n", "b")):
            if phase in phases:
                cached[leg] = half_v
        cached["last_phase_voltage_communication_time"] = when
        cached["last_phase_power_communication_time"] = when
        cached["serial_number"] = snap.identity.meter_serial
        cached["version"] = snap.git_hash[:14]
        return {
            "id": index,
            "location": location,
            "type": kind,
            "cts": cts,
            "inverted": [False, False, False, False],
            "connection": {
                "short_id": snap.identity.din,
                "device_serial": snap.identity.meter_serial + kind,
                "https_conf": {},
            },
            "Cached_readings": cached,
        }

    def solar_powerwall(self, snap: Snapshot) -> Body:
        return modern_data.solar_powerwall(snap)

    def meter_readings_raw(self, snap: Snapshot) -> Body:
        """While sitemaster runs, the raw readings are unavailable (sitemanager owns the meters)."""
        if snap.sitemaster_running:
            zero = {"ct": 0, "v_V": 0, "p_W": 0, "q_VAR": 0, "eExp_Ws": 0, "eImp_Ws": 0}
            error = "run sitemanager flag enabled, sitemanager process is running"
            blank = {"error": error, "data": {"firmwareVersion": "", "cts": [dict(zero) for _ in range(4)]}}
            return {snap.identity.meter_serial + kind: blank for kind in ("synchrometerX", "synchrometerY")}
        return super().meter_readings_raw(snap)

    # -- device ----------------------------------------------------------------
    def sitemaster(self, snap: Snapshot) -> Body:
        running = snap.sitemaster_running
        return {
            "status": "StatusUp" if running else "StatusDown",
            "running": running,
            "connected_to_tesla": True,
            "power_supply_mode": False,
            "can_reboot": "Yes" if running else "",
        }

    def status(self, snap: Snapshot) -> Body:
        return {
            "din": snap.identity.din,
            "start_time": start_time(snap.started_at),
            "up_time_seconds": go_duration(snap.t - snap.started_at),
            "is_new": False,
            "version": snap.version_string,
            "git_hash": snap.git_hash,
            "commission_count": snap.commission_count,
            "device_type": "teg",
            "teg_type": "unknown",
            "sync_type": "v2.1",
            "cellular_disabled": False,
            "can_reboot": True,
        }

    def config_completed(self, snap: Snapshot) -> Body | None:
        return self.status(snap)

    def login(self, session: Session, zone: tzinfo) -> Body:
        return {
            "email": session.email or "",
            "firstname": "Tesla",
            "lastname": "Energy",
            "roles": list(session.roles),
            "token": session.token,
            "provider": "Basic",
            "loginTime": rfc3339nano(session.login_time, zone),
        }

    def powerwalls(self, snap: Snapshot) -> Body:
        return {
            **self.powerwalls_status(snap),
            "powerwalls": [
                modern_data.powerwall_entry(snap, serial, self.powerwall_part_number)
                for serial in snap.identity.powerwall_serials
            ],
            "gateway_din": snap.identity.din,
            "sync": None,
            "msa": None,
            "states": None,
        }

    def powerwalls_status(self, snap: Snapshot) -> Body:
        return {
            "enumerating": False,
            "updating": snap.update.installing,
            "checking_if_offgrid": False,
            "running_phase_detection": False,
            "phase_detection_last_error": "no phase information",
            "bubble_shedding": False,
            "on_grid_check_error": "run sitemanager flag enabled"
            if snap.sitemaster_running
            else "on grid check not run",
            "grid_qualifying": False,
            "grid_code_validating": False,
            "phase_detection_not_available": True,
        }

    def update_status(self, snap: Snapshot) -> Body:
        return {
            **super().update_status(snap),
            "last_status_time": epoch_ms(snap.update.last_status_time),
            "version": snap.version_string,
            "offline_updating": False,
            "offline_update_error": "",
            "estimated_bytes_per_second": None,
        }

    # -- site ------------------------------------------------------------------
    def site_info(self, snap: Snapshot) -> Body:
        cfg = snap.config
        energy_kwh = cfg.battery_capacity_wh * cfg.powerwalls / 1000.0
        power_kw = cfg.total_max_power_w / 1000.0
        code = self.grid_code(cfg)
        return {
            "max_system_energy_kWh": energy_kwh,
            "max_system_power_kW": power_kw,
            "site_name": snap.site_name,
            "timezone": cfg.timezone,
            "max_site_meter_power_kW": 1000000000,
            "min_site_meter_power_kW": -1000000000,
            "nominal_system_energy_kWh": energy_kwh,
            "nominal_system_power_kW": power_kw,
            "panel_max_current": 100,
            "grid_code": {
                k: code[k]
                for k in (
                    "grid_code",
                    "grid_voltage_setting",
                    "grid_freq_setting",
                    "grid_phase_setting",
                    "country",
                    "state",
                    "utility",
                )
            },
        }

    def operation(self, op: Operation) -> Body:
        return {
            "real_mode": op.mode,
            "backup_reserve_percent": op.backup_reserve_percent,
            "freq_shift_load_shed_soe": 65,
            "freq_shift_load_shed_delta_f": -0.32,
        }

    def operation_posted(self, op: Operation, request: dict[str, Any]) -> Body:
        return {"real_mode": op.mode, "backup_reserve_percent": op.backup_reserve_percent}

    def registration(self, snap: Snapshot) -> Body:
        return {
            "privacy_notice": True,
            "limited_warranty": True,
            "grid_services": True,
            "marketing": True,
            "registered": True,
            "timed_out_registration": False,
        }

    def customer(self, snap: Snapshot) -> Body:
        return {
            "marketing": True,
            "registered": True,
            "privacy_notice": True,
            "grid_services": True,
            "limited_warranty": True,
        }

    def installer(self, snap: Snapshot) -> Body:
        return modern_data.installer(snap.sitemaster_running)

    def meters(self, snap: Snapshot) -> Body:
        return modern_data.meters(snap.identity)

    def network_ids(self) -> set[str]:
        """Newer firmware names networks rather than numbering interfaces."""
        return {n["network_name"] for n in modern_data.networks(frozenset())}

    def networks(self, snap: Snapshot) -> Body:
        return modern_data.networks_go_ipnet(snap.disabled_networks)

    def system_networks(self, snap: Snapshot) -> Body:
        return [
            {k: v for k, v in n.items() if k in ("network_name", "interface", "security_type", "dhcp", "enabled")}
            for n in modern_data.networks(snap.disabled_networks)
        ]

    def conn_tests(self, snap: Snapshot) -> Body:
        return modern_data.conn_tests(snap)

    def system_testing(self, snap: Snapshot) -> Body:
        return modern_data.SYSTEM_TESTING
