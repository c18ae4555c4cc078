"""What a 20.49-23.36 gateway reports at /api/devices/vitals, as plain data.

One entry per device the site controller talks to: the gateway (STSTSM), its
synchroniser with the site and solar CTs (TESYNC), each Powerwall's home
controller, battery pod and inverter (TETHC, TEPOD, TEPINV), the meters
(TESLA) and, on a Powerwall+ site, the PV inverter and its string box (PVAC,
PVS). Every number comes from the same snapshot the JSON endpoints render,
so a vitals poller and an /api/ poller see one site: pack energies sum to
/api/system_status, inverter powers to the battery meter, strings to the
solar meter. Alerts are the names real gateways raise, switched by the state
they describe (an outage opens the island contactor; a full pack ends charge).

Device names and vital names are the gateway's (pypowerwall's vitals samples,
jasonacox/pypowerwall docs "Powerwall Devices"); encoding is in ``encode``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from emulator.device import grid as grid_states
from emulator.device.identity import GATEWAY_PART_NUMBER
from emulator.device.snapshot import Snapshot
from emulator.model.noise import smooth01
from emulator.model.pv import pv_strings

Value = bool | float | str
Readings = dict[str, dict[str, float]]  # Bodies.meter_readings: per meter p (W), q (VAr), v (V), f (Hz)

SYNC_PART = "1493315-01-F"
POD_PART = "1081100-10-U"
PVAC_PART = "1538100-00-F"
ECU_TYPES = {"STSTSM": 207, "TETHC": 224, "TEPOD": 226, "TEPINV": 253, "TESYNC": 259, "PVAC": 296, "PVS": 297}
SITE_METER_LOCATION = 1  # pypowerwall's TEDAPI vitals use 1 for the site meter
_PINV_NOMINAL_V = 1.015  # the inverter's output voltage relative to nominal (as in battery_blocks)
_PINV_FREQ_OFFSET_HZ = 0.008
_POD_CHARGE_W = 7_000.0  # available charge / discharge power per pod (21.x captures)
_POD_DISCHARGE_W = 12_000.0
_TEMP_CHANNEL = 41
_STRING_LETTERS = "ABCD"


@dataclass(frozen=True, slots=True)
class VitalDevice:
    """One device as the vitals list it: identity, parent, readings and active alerts."""

    kind: str  # STSTSM, TETHC, ...; the din's prefix
    part: str
    serial: str
    parent: str  # the parent's din; "" for the gateway itself
    vitals: tuple[tuple[str, Value], ...]
    alerts: tuple[str, ...] = ()
    firmware: str = ""
    manufacturer: str = "TESLA"
    nameplate_w: int | None = None  # PV inverter attribute
    meter_location: tuple[int, ...] = field(default=())

    @property
    def din(self) -> str:
        return f"{self.kind}--{self.part}--{self.serial}" if self.part else f"{self.kind}--{self.serial}"

    @property
    def ecu_type(self) -> int | None:
        return ECU_TYPES.get(self.kind)


def module_serial(powerwall_serial: str) -> str:
    """The serial a Powerwall's pod and inverter share (11 characters, as on real packs)."""
    return "CN" + powerwall_serial[3:12]


def ambient_temp_c(snap: Snapshot, pack_power_w: float, index: int) -> float:
    """A pack's thermal-controller ambient: a daily swing plus heat from power flow, in 0.1 °C."""
    local = datetime.fromtimestamp(snap.t, snap.zone)
    hour = local.hour + local.minute / 60.0
    daily = 5.0 * math.sin(2.0 * math.pi * (hour - 9.0) / 24.0)
    wobble = smooth01(snap.config.seed, _TEMP_CHANNEL + index, snap.t, 600.0) - 0.5
    return round(18.0 + daily + 0.6 * abs(pack_power_w) / 1000.0 + wobble, 1)


def has_pv_inverter(snap: Snapshot) -> bool:
    """The emulated site is a Powerwall+ site when it has PV (it serves /api/solar_powerwall)."""
    return snap.config.pv_rating_w > 0


def gateway_alerts(snap: Snapshot) -> tuple[str, ...]:
    alerts: list[str] = []
    if snap.grid_status == grid_states.CONNECTED:
        alerts.append("SystemConnectedToGrid")
    elif snap.grid_utility_up:  # off grid with the utility there: the owner asked to island
        alerts.append("ScheduledIslandContactorOpen")
    else:
        alerts.append("UnscheduledIslandContactorOpen")
    flows, op = snap.flows, snap.operation
    if (
        snap.grid_connected
        and op.mode == "self_consumption"
        and snap.soe_pct <= op.backup_reserve_percent + 0.5
        and flows.load_w > flows.solar_w
    ):
        alerts.append("SelfConsumptionReservedLimit")
    if snap.soe_pct >= 99.5 and flows.solar_w > flows.load_w:
        alerts.append("RealPowerAvailableLimited")
    return tuple(alerts)


def sync_alerts(snap: Snapshot) -> tuple[str, ...]:
    status = snap.grid_status
    if status in (grid_states.ISLANDED, grid_states.TO_ISLAND):
        return ("SYNC_a038_DoOpenArguments",)
    if status == grid_states.TO_GRID:
        return ("SYNC_a046_DoCloseArguments",)
    return ()


def vital_devices(snap: Snapshot, readings: Readings, powerwall_part: str) -> list[VitalDevice]:
    """Every device of the site, gateway first; ``readings`` are the meters' (as the JSON bodies use)."""
    firmware = snap.git_hash[:14]
    ident = snap.identity
    gateway = VitalDevice(
        "STSTSM",
        GATEWAY_PART_NUMBER,
        ident.gateway_serial,
        "",
        (("STSTSM-Location", "Gateway"),),
        gateway_alerts(snap),
        firmware,
    )
    devices = [gateway, _sync(snap, readings, gateway.din, firmware)]
    devices += _meters(snap, gateway.din, firmware)
    devices += _powerwalls(snap, powerwall_part, gateway.din, firmware)
    return devices


def _sync(snap: Snapshot, readings: Readings, parent: str, firmware: str) -> VitalDevice:
    site, load, solar = readings["site"], readings["load"], readings["solar"]
    counters = snap.state.counters
    up = snap.grid_utility_up
    vitals: list[tuple[str, Value]] = []
    for leg in (1, 2):
        vitals += [
            (f"ISLAND_FreqL{leg}_Load", load["f"]),
            (f"ISLAND_FreqL{leg}_Main", site["f"]),
        ]
    vitals += [
        ("ISLAND_GridConnected", snap.grid_connected),
        ("ISLAND_GridState", "ISLAND_GridState_Grid_Compliant" if up else "ISLAND_GridState_Grid_Uncompliant"),
        ("ISLAND_ReadyForSynchronization", up),
    ]
    for leg in (1, 2):
        vitals += [(f"ISLAND_VL{leg}N_Load", load["v"] / 2), (f"ISLAND_VL{leg}N_Main", site["v"] / 2)]
    vitals += _meter_cts("X", {"A": site, "B": site}, 2, (counters.site_exported_wh, counters.site_imported_wh))
    vitals += _meter_cts("Y", {"C": solar}, 1, (counters.solar_exported_wh, counters.solar_imported_wh))
    vitals += [("SYNC_ExternallyPowered", False), ("SYNC_SiteSwitchEnabled", False)]
    return VitalDevice(
        "TESYNC", SYNC_PART, snap.identity.gateway_serial, parent, tuple(vitals), sync_alerts(snap), firmware
    )


def _meter_cts(
    meter: str, cts: dict[str, dict[str, float]], share: int, energy: tuple[float, float]
) -> list[tuple[str, Value]]:
    """A synchrometer's CTs: each CT carries its share of a reading, on a leg at half the L-L voltage."""
    vitals: list[tuple[str, Value]] = []
    leg_v = max((r["v"] for r in cts.values()), default=0.0) / 2
    for ct in "ABC":
        reading = cts.get(ct)
        p = reading["p"] / share if reading else 0.0
        q = reading["q"] / share if reading else 0.0
        vitals += [
            (f"METER_{meter}_CT{ct}_I", abs(p) / leg_v if leg_v else 0.0),
            (f"METER_{meter}_CT{ct}_InstReactivePower", q),
            (f"METER_{meter}_CT{ct}_InstRealPower", p),
        ]
    vitals += [
        (f"METER_{meter}_LifetimeEnergyExport", round(energy[0])),
        (f"METER_{meter}_LifetimeEnergyImport", round(energy[1])),
        (f"METER_{meter}_VL1N", leg_v),
        (f"METER_{meter}_VL2N", leg_v),
        (f"METER_{meter}_VL3N", 0.0),
    ]
    return vitals


def _meters(snap: Snapshot, parent: str, firmware: str) -> list[VitalDevice]:
    """The synchrometers /api/meters lists, as the meter devices the site controller polls."""
    serial = snap.identity.meter_serial
    return [
        VitalDevice("TESLA", "", serial + "synchrometerX", parent, (), (), firmware, meter_location=(1,)),
        VitalDevice("TESLA", "", serial + "synchrometerY", parent, (), (), firmware),
    ]


def _powerwalls(snap: Snapshot, powerwall_part: str, parent: str, firmware: str) -> list[VitalDevice]:
    state, flows, cfg = snap.state, snap.flows, snap.config
    islanded = not snap.grid_connected
    full_wh = state.full_wh
    pods_full = snap.soe_pct >= 99.5
    pods_empty = snap.soe_pct <= 0.5
    fault_alerts = tuple(f.alert_name for f in snap.grid_faults[-1:]) if not snap.grid_utility_up else ()
    devices: list[VitalDevice] = []
    for i, (serial, pack_full) in enumerate(zip(snap.identity.powerwall_serials, state.pack_full_wh, strict=True)):
        share = pack_full / full_wh
        p_out = flows.battery_w * share
        remaining = state.energy_wh * share
        thc = VitalDevice(
            "TETHC",
            powerwall_part,
            serial,
            parent,
            (
                ("THC_AmbientTemp", ambient_temp_c(snap, p_out, i)),
                ("THC_State", "THC_STATE_AUTONOMOUSCONTROL"),
            ),
            (),
            firmware,
        )
        module = module_serial(serial)
        pod_alerts = ("POD_w110_SW_EOC",) if pods_full else ("POD_w105_SW_EOD",) if pods_empty else ()
        pod = VitalDevice(
            "TEPOD",
            POD_PART,
            module,
            thc.din,
            (
                ("POD_ActiveHeating", False),
                ("POD_ChargeComplete", pods_full),
                ("POD_ChargeRequest", False),
                ("POD_DischargeComplete", pods_empty),
                ("POD_PermanentlyFaulted", False),
                ("POD_PersistentlyFaulted", False),
                ("POD_available_charge_power", 0.0 if pods_full else _POD_CHARGE_W),
                ("POD_available_dischg_power", 0.0 if pods_empty else _POD_DISCHARGE_W),
                ("POD_enable_line", True),
                ("POD_nom_energy_remaining", float(round(remaining))),
                ("POD_nom_energy_to_be_charged", float(round(pack_full - remaining))),
                ("POD_nom_full_pack_energy", float(round(pack_full))),
                ("POD_state", "POD_ACTIVE"),
            ),
            pod_alerts,
            firmware,
        )
        vout = cfg.nominal_voltage_v * _PINV_NOMINAL_V
        pinv = VitalDevice(
            "TEPINV",
            POD_PART,
            module,
            thc.din,
            (
                ("PINV_EnergyCharged", float(round(state.counters.battery_imported_wh * share))),
                ("PINV_EnergyDischarged", float(round(state.counters.battery_exported_wh * share))),
                ("PINV_Fout", cfg.nominal_frequency_hz + _PINV_FREQ_OFFSET_HZ),
                ("PINV_GridState", "Grid_Compliant" if snap.grid_utility_up else "Grid_Uncompliant"),
                ("PINV_HardwareEnableLine", True),
                ("PINV_PllLocked", not flows.blackout),
                ("PINV_Pout", p_out / 1000.0),
                ("PINV_Qout", 0.0),
                ("PINV_ReadyForGridForming", True),
                ("PINV_State", "PINV_GridForming" if islanded else "PINV_GridFollowing"),
                ("PINV_VSplit1", vout / 2),
                ("PINV_VSplit2", vout / 2),
                ("PINV_Vout", vout),
            ),
            fault_alerts,
            firmware,
        )
        devices += [thc, pod, pinv]
        if i == 0 and has_pv_inverter(snap):
            devices += _pv_inverter(snap, thc.din, parent, firmware)
    return devices


def _pv_inverter(snap: Snapshot, parent: str, gateway_din: str, firmware: str) -> list[VitalDevice]:
    """The Powerwall+'s solar inverter (PVAC), its string box (PVS) and its nameplate (TESLA)."""
    cfg, flows = snap.config, snap.flows
    strings = pv_strings(flows.solar_w, _STRING_LETTERS, 3)  # a Powerwall+: four MPPTs, three wired
    producing = flows.solar_w > 0
    serial = "PV" + snap.identity.powerwall_serials[0][3:]
    islanded = not snap.grid_connected
    pvac: list[tuple[str, Value]] = [
        ("PVAC_Fout", cfg.nominal_frequency_hz),
        ("PVAC_GridState", "Grid_Compliant" if snap.grid_utility_up else "Grid_Uncompliant"),
        ("PVAC_InvState", "INV_Grid_Forming" if islanded else "INV_Grid_Connected"),
        ("PVAC_Iout", max(0.0, flows.solar_w) / cfg.nominal_voltage_v),
        ("PVAC_LifetimeEnergyPV_Total", float(round(snap.state.counters.solar_exported_wh))),
    ]
    pvac += [(f"PVAC_PVCurrent_{s.name}", s.current_a) for s in strings]
    pvac += [(f"PVAC_PVMeasuredPower_{s.name}", s.power_w) for s in strings]
    pvac += [(f"PVAC_PVMeasuredVoltage_{s.name}", s.voltage_v) for s in strings]
    pvac += [("PVAC_Pout", max(0.0, flows.solar_w))]
    pvac += [(f"PVAC_PvState_{s.name}", "PV_Active" if s.connected else "PV_Disabled") for s in strings]
    pvac += [
        ("PVAC_Qout", 0.0),
        ("PVAC_State", "PVAC_Active" if producing else "PVAC_Standby"),
        ("PVAC_VL1Ground", cfg.nominal_voltage_v / 2),
        ("PVAC_VL2Ground", cfg.nominal_voltage_v / 2),
        ("PVAC_Vout", cfg.nominal_voltage_v),
    ]
    pvs: list[tuple[str, Value]] = [
        ("PVS_EnableOutput", producing),
        ("PVS_SelfTestState", "PVS_SelfTestOff"),
        ("PVS_State", "PVS_Active" if producing else "PVS_Standby"),
    ]
    pvs += [(f"PVS_String{s.name}_Connected", s.connected) for s in strings]
    pvs += [("PVS_vLL", cfg.nominal_voltage_v)]
    pvs_alerts = [f"PVS_a0{17 + k}_MciString{s.name}" for k, s in enumerate(strings) if not s.connected]
    if not producing:
        pvs_alerts.append("PVS_a059_MciOpen")
    pvac_device = VitalDevice("PVAC", PVAC_PART, serial, parent, tuple(pvac), (), firmware)
    return [
        pvac_device,
        VitalDevice("PVS", PVAC_PART, serial, pvac_device.din, tuple(pvs), tuple(pvs_alerts), firmware),
        VitalDevice(
            "TESLA",
            "",
            f"{PVAC_PART}--{serial}",
            gateway_din,
            (),
            (),
            firmware,
            nameplate_w=int(cfg.pv_rating_w),
        ),
    ]
