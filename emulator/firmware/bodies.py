"""Response bodies as firmware 1.15.0 wrote them; newer firmware subclasses and extends.

Every renderer is a pure function of an immutable
:class:`~emulator.device.snapshot.Snapshot` (plus, for a few answers to
writes, the value just written): it never sees the gateway, so a body can be
rendered once per sample and its bytes served to every poller. Field names
and their order are the wire's; this is the one place that knows them.
:meth:`Bodies.snapshot_renderers` is the table routes answer from, keyed by
route name.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import tzinfo
from typing import Any

from emulator.device.errors import GatewayError
from emulator.device.sessions import Session
from emulator.device.snapshot import Operation, Snapshot
from emulator.firmware import wizard_data
from emulator.firmware.formats import GO_ZERO_TIME, epoch_ms, go_duration, rfc3339nano, start_time
from emulator.model import SiteConfig
from emulator.model.noise import smooth01

Body = Any
Renderer = Callable[[Snapshot], Body]
_VOLT, _FREQ, _REACTIVE = 31, 32, 33
_POWERWALL_1_15_PART = "1092170-03-E"


class Bodies:
    """Firmware 1.15.0 shapes (spring 2018): the seed notes' samples."""

    aggregate_meters: tuple[str, ...] = ("site", "battery", "load", "solar", "busway", "frequency", "generator")
    powerwall_part_number = _POWERWALL_1_15_PART

    def __init__(self) -> None:
        self.renderers: Mapping[str, Renderer] = self.snapshot_renderers()

    def snapshot_renderers(self) -> dict[str, Renderer]:
        """GET routes whose body is a pure function of a snapshot, by route name (cacheable per sample)."""
        return {
            "meters.aggregates": self.aggregates,
            "system_status.soe": self.soe,
            "system_status.grid_status": self.grid_status,
            "system_status.grid_faults": self.grid_faults,
            "meters.readings": self.meter_readings_raw,
            "sitemaster": self.sitemaster,
            "status": self.status,
            "config": self.config,
            "powerwalls": self.powerwalls,
            "powerwalls.status": self.powerwalls_status,
            "system.update.status": self.update_status,
            "site_info": self.site_info,
            "site_info.site_name": self.site_name,
            "solars": self.solars,
            "generators": self.generators,
            "customer": self.customer,
            "customer.registration": self.registration,
            "installer": self.installer,
            "meters": self.meters,
            "networks": self.networks,
            "system.networks": self.system_networks,
            "system.networks.conn_tests": self.conn_tests,
            "system.testing": self.system_testing,
        }

    def devices_vitals(self, snap: Snapshot) -> bytes:
        """/api/devices/vitals: the protobuf only 20.49-23.36 send (v21_44.Bodies21). Firmware whose facts
        do not list the path answers 404 before it gets here."""
        raise GatewayError(404, "Not Found", "this firmware does not serve /api/devices/vitals")

    # -- helpers shared by the live-data bodies ------------------------------
    def meter_readings(self, snap: Snapshot) -> dict[str, dict[str, float]]:
        """Per-meter electrical readings derived from the flows (volts, hertz, VAr, A)."""
        cfg, seed, t = snap.config, snap.config.seed, snap.t
        flows = snap.flows
        grid_v = cfg.nominal_voltage_v * (0.99 + 0.02 * smooth01(seed, _VOLT, t, 20.0)) if snap.grid_utility_up else 0.0
        grid_f = (
            cfg.nominal_frequency_hz + 0.04 * (smooth01(seed, _FREQ, t, 7.0) - 0.5) if snap.grid_utility_up else 0.0
        )
        if snap.grid_connected or flows.blackout:
            island_f = grid_f
        else:  # the Powerwalls form the grid, and lift the frequency to curtail solar
            island_f = cfg.nominal_frequency_hz + (0.6 if flows.curtailed_w > 0 else 0.0)
        house_v = grid_v if snap.grid_connected else (0.0 if flows.blackout else cfg.nominal_voltage_v)
        house_f = grid_f if snap.grid_connected else island_f
        battery_v = 0.0 if flows.blackout else cfg.nominal_voltage_v * 1.01
        q = 40.0 + 120.0 * smooth01(seed, _REACTIVE, t, 30.0)
        return {
            "site": {"p": flows.site_w, "q": -q if grid_v else 0.0, "v": grid_v, "f": grid_f},
            "battery": {"p": flows.battery_w, "q": 0.0, "v": battery_v, "f": 0.0 if flows.blackout else house_f},
            "load": {"p": flows.load_w, "q": -q * 0.5 if house_v else 0.0, "v": house_v, "f": house_f},
            "solar": {"p": flows.solar_w, "q": 12.0 if flows.solar_w > 0 else 0.0, "v": house_v, "f": house_f},
        }

    def meter(self, name: str, reading: dict[str, float], energy: tuple[float, float], when: str) -> dict[str, Any]:
        p, q, v = reading["p"], reading["q"], reading["v"]
        current = abs(p) / v if v else 0.0
        if name == "battery" and p > 0:
            current = -current  # real gateways report battery current opposite to power
        return {
            "last_communication_time": when,
            "instant_power": p,
            "instant_reactive_power": q,
            "instant_apparent_power": math.hypot(p, q),
            "frequency": reading["f"],
            "energy_exported": energy[0],
            "energy_imported": energy[1],
            "instant_average_voltage": v,
            "instant_total_current": current,
            "i_a_current": 0,
            "i_b_current": 0,
            "i_c_current": 0,
        }

    def idle_meter(self) -> dict[str, Any]:
        return self.meter("idle", {"p": 0, "q": 0, "v": 0, "f": 0}, (0, 0), GO_ZERO_TIME)

    @staticmethod
    def meter_energy(snap: Snapshot) -> dict[str, tuple[float, float]]:
        """(exported, imported) Wh per meter, in the gateway's sense of each word."""
        c = snap.state.counters
        return {
            "site": (c.site_exported_wh, c.site_imported_wh),
            "battery": (c.battery_exported_wh, c.battery_imported_wh),
            "load": (0.0, c.load_imported_wh),
            "solar": (c.solar_exported_wh, c.solar_imported_wh),
        }

    # -- live data -----------------------------------------------------------
    def aggregates(self, snap: Snapshot) -> Body:
        readings = self.meter_readings(snap)
        energy = self.meter_energy(snap)
        when = rfc3339nano(snap.t, snap.zone)
        body: dict[str, Any] = {}
        for name in self.aggregate_meters:
            if name in readings:
                body[name] = self.meter(name, readings[name], energy[name], when)
            else:
                body[name] = self.idle_meter()
        return body

    def soe(self, snap: Snapshot) -> Body:
        return {"percentage": snap.soe_pct}

    def grid_status(self, snap: Snapshot) -> Body:
        return {"grid_status": snap.grid_status}

    def grid_faults(self, snap: Snapshot) -> Body:
        return []

    # -- device ----------------------------------------------------------------
    def sitemaster(self, snap: Snapshot) -> Body:
        if not snap.sitemaster_running:
            return {"running": False, "uptime": "log:", "connected_to_tesla": False}
        uptime = int(snap.t - snap.sitemaster_since)
        return {"running": True, "uptime": f"{uptime}s,", "connected_to_tesla": True}

    def status(self, snap: Snapshot) -> Body:
        return {
            "start_time": start_time(snap.started_at),
            "up_time_seconds": go_duration(snap.t - snap.started_at),
            "is_new": False,
            "version": snap.version_string,
            "git_hash": snap.git_hash,
        }

    def powerwalls(self, snap: Snapshot) -> Body:
        packs = [
            {"PackagePartNumber": self.powerwall_part_number, "PackageSerialNumber": serial}
            for serial in snap.identity.powerwall_serials
        ]
        return {"powerwalls": packs, "has_sync": len(packs) > 1}

    def powerwalls_status(self, snap: Snapshot) -> Body:
        """The wizard's view of the Powerwalls; 1.15 refuses it while sitemaster runs."""
        if snap.sitemaster_running:
            raise GatewayError(409, "Sitemaster is current running", "Sitemaster is current running")
        body = self.powerwalls(snap)
        return {"enumerating": False, "updating": False, "checking_if_offgrid": False, **body}

    def update_status(self, snap: Snapshot) -> Body:
        return {"state": snap.update.state, "info": {"status": [snap.update.status]}, "current_time": epoch_ms(snap.t)}

    def config_completed(self, snap: Snapshot) -> Body | None:
        """None: 1.15 answers 202 with no body."""
        return None

    def login(self, session: Session, zone: tzinfo) -> Body:
        return {
            "email": session.email if session.email else None,
            "firstname": "Tesla",
            "lastname": "Energy",
            "roles": list(session.roles),
            "token": session.token,
            "provider": "Basic",
        }

    def config(self, snap: Snapshot) -> Body:
        return {"vin": snap.identity.din}

    # -- site ------------------------------------------------------------------
    def site_info(self, snap: Snapshot) -> Body:
        cfg = snap.config
        return {
            "site_name": snap.site_name,
            "timezone": cfg.timezone,
            "min_site_meter_power_kW": -1000000000,
            "max_site_meter_power_kW": 1000000000,
            "nominal_system_energy_kWh": cfg.battery_capacity_wh * cfg.powerwalls / 1000.0,
            **self.grid_code_fields(snap.config),
        }

    def grid_code_fields(self, config: SiteConfig) -> dict[str, Any]:
        code = self.grid_code(config)
        return {
            "grid_code": code["grid_code"],
            "grid_voltage_setting": code["grid_voltage_setting"],
            "grid_freq_setting": code["grid_freq_setting"],
            "grid_phase_setting": code["grid_phase_setting"],
            "country": code["country"],
            "state": code["state"],
            "region": code["region"],
        }

    @staticmethod
    def grid_code(config: SiteConfig) -> dict[str, Any]:
        hz = int(config.nominal_frequency_hz)
        for code in wizard_data.GRID_CODES:
            if code["grid_freq_setting"] == hz:
                return code
        return wizard_data.GRID_CODES[0]

    def site_name(self, snap: Snapshot) -> Body:
        return {"site_name": snap.site_name, "timezone": snap.config.timezone}

    def operation(self, op: Operation) -> Body:
        return {"mode": op.mode, "backup_reserve_percent": op.backup_reserve_percent}

    def operation_posted(self, op: Operation, request: dict[str, Any]) -> Body:
        """1.15 echoes what was posted (as staged), including max_pv_export_power_kW when sent."""
        body = self.operation(op)
        if "max_pv_export_power_kW" in request:
            body["max_pv_export_power_kW"] = request["max_pv_export_power_kW"]
        return body

    def registration(self, snap: Snapshot) -> Body:
        return {
            "privacy_notice": True,
            "limited_warranty": True,
            "grid_services": None,
            "marketing": None,
            "registered": True,
            "emailed_registration": snap.registration_emailed,
            "skipped_registration": snap.registration_skipped,
            "timed_out_registration": False,
        }

    def customer(self, snap: Snapshot) -> Body:
        return {
            "city": "New York",
            "state": "New York ",
            "zip": "10010",
            "country": "US",
            "registered": True,
            "privacy_notice": True,
            "limited_warranty": True,
            "emailed_registration": snap.registration_emailed,
        }

    def installer(self, snap: Snapshot) -> Body:
        return {
            "company": "Tesla Orange County",
            "customer_id": "1234567",
            "phone": "1231234567",
            "email": "installer@example.com",
            "run_sitemaster": snap.sitemaster_running,
        }

    def solars(self, snap: Snapshot) -> Body:
        rating = int(round(snap.config.pv_rating_w))
        if rating <= 0:
            return []
        return [
            {
                "brand": "SolarEdge Technologies",
                "model": "SE5000 (240V) w/ -ER-US or A-US",
                "power_rating_watts": rating,
            }
        ]

    def generators(self, snap: Snapshot) -> Body:
        return {"disconnect_type": "None", "generators": []}

    # -- meters ----------------------------------------------------------------
    def meters(self, snap: Snapshot) -> Body:
        four = [False, False, False, False]
        return [
            {
                "serial": snap.identity.meter_serial,
                "short_id": snap.identity.meter_serial[-5:],
                "connected": True,
                "cts": [
                    {"type": "solar", "valid": [False, False, True, True], "inverted": list(four)},
                    {"type": "site", "valid": [True, True, False, False], "inverted": list(four)},
                ],
            }
        ]

    def meter_readings_raw(self, snap: Snapshot) -> Body:
        """/api/meters/readings: per-CT raw values from the site meter (Neurio)."""
        readings = self.meter_readings(snap)
        energy = self.meter_energy(snap)
        cts = []
        for ct, (meter, share) in enumerate((("site", 0.5), ("site", 0.5), ("solar", 0.5), ("solar", 0.5)), start=1):
            r, (exported, imported) = readings[meter], energy[meter]
            cts.append(
                {
                    "ct": ct,
                    "v_V": r["v"] / 2,
                    "p_W": r["p"] * share,
                    "q_VAR": r["q"] * share,
                    "eExp_Ws": int(exported * share * 3600),
                    "eImp_Ws": int(imported * share * 3600),
                }
            )
        data = {
            "IP": f"Neurio-{snap.identity.meter_serial[-5:]}",
            "sensorId": "0x" + snap.identity.meter_serial[-8:].rjust(16, "0"),
            "firmwareVersion": "Tesla-0.0.7",
            "f_Hz": readings["site"]["f"],
            "cts": cts,
        }
        return {snap.identity.meter_serial: {"error": "", "data": data}}

    # -- networks ----------------------------------------------------------------
    def network_ids(self) -> set[str]:
        """What /api/networks/{id}/enable|disable accepts: 1.15 numbers its interfaces."""
        return {"2", "3", "170", "171", "172"}

    def networks(self, snap: Snapshot) -> Body:
        return wizard_data.interfaces_1_15(snap.disabled_networks)

    def system_networks(self, snap: Snapshot) -> Body:
        return wizard_data.system_networks_1_15(snap.disabled_networks)

    def system_testing(self, snap: Snapshot) -> Body:
        return wizard_data.SYSTEM_TESTING

    def conn_tests(self, snap: Snapshot) -> Body:
        done = snap.conn_tests_done
        if not done:
            return {"results": None, "timestamp": GO_ZERO_TIME}
        finished = (snap.conn_tests_started or snap.t) + 5.0
        results = {name: {"pass": True, "error": ""} for name in wizard_data.CONN_TEST_NAMES}
        return {"results": results, "timestamp": rfc3339nano(finished, snap.zone)}
