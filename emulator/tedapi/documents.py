"""The live data tree the TEDAPI's queries select from (config.json: :mod:`emulator.tedapi.config_document`).

A TEDAPI query is GraphQL: the client names the fields it wants. We build one
document holding every field we know (``device_controller``, and one
``components`` document per Powerwall 3) and let :mod:`emulator.tedapi.query`
select what a query asks for. Names and units are the wire's, as pypowerwall
0.22.2 reads them (powers in W, pack energies in Wh, BMS energies in kWh).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from emulator.device.snapshot import Snapshot
from emulator.firmware.formats import rfc3339nano
from emulator.tedapi.hardware import PVAC_PART, Pack, Site

Doc = dict[str, Any]
_PINV_NOMINAL_W = 5_800


def _grid_alerts(snap: Snapshot) -> list[str]:
    """The site controller's active alerts; an outage and an intentional island read differently."""
    if snap.grid_connected:
        return ["SystemConnectedToGrid"]
    return ["ScheduledIslandContactorOpen" if snap.grid_utility_up else "UnscheduledIslandContactorOpen"]


def _fault_alerts(snap: Snapshot) -> list[str]:
    """Inverter alerts raised by a grid outage, while it lasts."""
    return [] if snap.grid_utility_up else sorted({f.alert_name for f in snap.grid_faults})


def device_controller(site: Site, snap: Snapshot, wanted: Collection[str] | None = None) -> Doc:
    """Everything DeviceControllerQuery may select, both the basic and the full form.

    ``wanted``: the top-level sections to build (:func:`emulator.tedapi.query.top_fields`), None for all. A
    section is a function of the sample and the site only, so leaving out one the query never reads changes
    no answer; it saves building it on every new sample.
    """
    when = rfc3339nano(snap.t, snap.zone)
    return {name: build(snap, site, when) for name, build in _SECTIONS.items() if wanted is None or name in wanted}


def _system(snap: Snapshot, _site: Site, when: str) -> Doc:
    return {
        "time": when,
        "supportMode": {"remoteService": {"isEnabled": False, "expiryTime": None, "sessionId": None}},
        "sitemanagerStatus": {"isRunning": snap.sitemaster_running},
        "updateUrgencyCheck": None,
    }


def _es_can(snap: Snapshot, site: Site, when: str) -> Doc:
    return {
        "bus": _bus(snap, site, when),
        "enumeration": {"inProgress": False, "numACPW": len(site.inverters), "numPVI": 0 if site.pw3 else 1},
        "firmwareUpdate": {"isUpdating": snap.update.installing, "powerwalls": None, "msa": None, "sync": None},
        "phaseDetection": None,
        "inverterSelfTests": None,
    }


_SECTIONS: dict[str, Callable[[Snapshot, Site, str], Any]] = {
    "control": lambda snap, site, _when: _control(snap, site) if snap.sitemaster_running else None,  # null: stopped
    "system": _system,
    "neurio": lambda _snap, _site, _when: {"isDetectingWiredMeters": False, "readings": [], "pairings": []},
    "teslaRemoteMeter": lambda _snap, _site, _when: {"meters": [], "detectedWired": []},
    "pw3Can": lambda snap, _site, _when: {
        "firmwareUpdate": {"isUpdating": snap.update.installing, "progress": None},
        "enumeration": {"inProgress": False},
    },
    "esCan": _es_can,
    "components": lambda snap, site, _when: {"components": _msa_components(snap, site)},
    "ieee20305": lambda _snap, _site, _when: {
        "longFormDeviceID": "",
        "polledResources": [],
        "controls": None,
        "registration": None,
    },
}


def _control(snap: Snapshot, site: Site) -> Doc:
    flows = snap.flows
    return {
        "systemStatus": {
            "nominalFullPackEnergyWh": int(round(snap.state.full_wh)),
            "nominalEnergyRemainingWh": int(round(snap.state.energy_wh)),
        },
        "islanding": {
            "customerIslandMode": "BackupMode",
            "contactorClosed": snap.grid_connected,
            "microGridOK": not flows.blackout,
            "gridOK": snap.grid_utility_up,
            "disableReasons": [],
        },
        "meterAggregates": [
            {"location": "SITE", "realPowerW": flows.site_w},
            {"location": "BATTERY", "realPowerW": flows.battery_w},
            {"location": "LOAD", "realPowerW": flows.load_w},
            {"location": "SOLAR", "realPowerW": flows.solar_w},
        ],
        "alerts": {"active": _grid_alerts(snap)},
        "siteShutdown": {"isShutDown": False, "reasons": []},
        "batteryBlocks": [{"din": p.din, "disableReasons": []} for p in site.inverters],
        "pvInverters": [] if site.pw3 else [{"din": f"{PVAC_PART}--{site.leader.serial}", "disableReasons": []}],
    }


def _bus(snap: Snapshot, site: Site, when: str) -> Doc:
    e = site.electrical
    flows = snap.flows
    half = e.grid_v / 2
    site_i = abs(flows.site_w) / e.grid_v if e.grid_v else 0.0
    islanded = not snap.grid_connected
    meter_x = {
        "isMIA": False,
        "isComplete": True,
        "lastRxTime": when,
        "METER_X_CTA_InstRealPower": flows.site_w / 2,
        "METER_X_CTA_InstReactivePower": e.site_q / 2,
        "METER_X_CTA_I": site_i,
        "METER_X_VL1N": half,
        "METER_X_CTB_InstRealPower": flows.site_w / 2,
        "METER_X_CTB_InstReactivePower": e.site_q / 2,
        "METER_X_CTB_I": site_i,
        "METER_X_VL2N": half,
        "METER_X_CTC_InstRealPower": 0,
        "METER_X_CTC_InstReactivePower": 0,
        "METER_X_CTC_I": 0,
        "METER_X_VL3N": 0,
    }
    solar_i = max(0.0, flows.solar_w) / e.house_v if e.house_v else 0.0
    meter_y = {
        "isMIA": site.pw3,  # a Powerwall 3 meters its own PV
        "isComplete": not site.pw3,
        "lastRxTime": when,
        "METER_Y_CTA_InstRealPower": 0 if site.pw3 else flows.solar_w,
        "METER_Y_CTA_InstReactivePower": 0,
        "METER_Y_CTA_I": 0 if site.pw3 else solar_i,
        "METER_Y_VL1N": 0 if site.pw3 else e.house_v / 2,
        "METER_Y_CTB_InstRealPower": 0,
        "METER_Y_CTB_InstReactivePower": 0,
        "METER_Y_CTB_I": 0,
        "METER_Y_VL2N": 0 if site.pw3 else e.house_v / 2,
        "METER_Y_CTC_InstRealPower": 0,
        "METER_Y_CTC_InstReactivePower": 0,
        "METER_Y_CTC_I": 0,
        "METER_Y_VL3N": 0,
    }
    grid_state = "ISLAND_GridState_Grid_Compliant" if snap.grid_utility_up else "ISLAND_GridState_Grid_Uncompliant"
    bus: Doc = {
        "SYNC": {
            "packagePartNumber": snap.identity.din.split("--")[0],
            "packageSerialNumber": snap.identity.gateway_serial,
            "SYNC_InfoMsg": {"isMIA": False, "SYNC_appGitHash": snap.git_hash[:14], "SYNC_assemblyId": ""},
            "METER_X_AcMeasurements": meter_x,
            "METER_Y_AcMeasurements": meter_y,
            "SYNC_Status": {"lastRxTime": when},
            "alerts": {"isComplete": True, "isMIA": False, "active": []},
        },
        "ISLANDER": {
            "ISLAND_GridConnection": {
                "ISLAND_GridConnected": "ISLAND_GridConnected_Disconnected"
                if islanded
                else "ISLAND_GridConnected_Connected",
                "isComplete": True,
            },
            "ISLAND_AcMeasurements": {
                "ISLAND_VL1N_Main": half,
                "ISLAND_FreqL1_Main": e.grid_f,
                "ISLAND_VL2N_Main": half,
                "ISLAND_FreqL2_Main": e.grid_f,
                "ISLAND_VL3N_Main": 0,
                "ISLAND_FreqL3_Main": 0,
                "ISLAND_VL1N_Load": e.house_v / 2,
                "ISLAND_FreqL1_Load": e.house_f,
                "ISLAND_VL2N_Load": e.house_v / 2,
                "ISLAND_FreqL2_Load": e.house_f,
                "ISLAND_VL3N_Load": 0,
                "ISLAND_FreqL3_Load": 0,
                "ISLAND_GridState": grid_state,
                "lastRxTime": when,
                "isComplete": True,
                "isMIA": False,
            },
        },
        "MSA": None,
        "PVAC": [],
        "PVS": [],
        "PINV": [],
        "POD": [],
        "THC": [],
    }
    if not site.pw3:
        bus.update(_powerwall2_bus(snap, site))
    return bus


def _powerwall2_bus(snap: Snapshot, site: Site) -> Doc:
    e = site.electrical
    islanded = not snap.grid_connected
    faults = _fault_alerts(snap)
    voltage = 0.0 if snap.flows.blackout else snap.config.nominal_voltage_v * 1.01
    pinv, pod, thc = [], [], []
    for pack in site.packs:
        pinv.append(
            {
                "PINV_Status": {
                    "isMIA": False,
                    "PINV_Fout": e.house_f,
                    "PINV_Pout": pack.power_w / 1000.0,  # kW, as real vitals report it
                    "PINV_Vout": voltage,
                    "PINV_State": "PINV_GridForming" if islanded else "PINV_GridFollowing",
                    "PINV_GridState": "Grid_Compliant" if snap.grid_utility_up else "Grid_Uncompliant",
                },
                "PINV_AcMeasurements": {"isMIA": False, "PINV_VSplit1": voltage / 2, "PINV_VSplit2": voltage / 2},
                "PINV_PowerCapability": {"isComplete": True, "isMIA": False, "PINV_Pnom": _PINV_NOMINAL_W},
                "alerts": {"isComplete": True, "isMIA": False, "active": faults},
            }
        )
        pod.append(
            {
                "POD_EnergyStatus": {
                    "isMIA": False,
                    "POD_nom_energy_remaining": int(round(pack.remaining_wh)),
                    "POD_nom_full_pack_energy": int(round(pack.full_wh)),
                },
                "POD_InfoMsg": {"POD_appGitHash": snap.git_hash[:14]},
            }
        )
        thc.append(
            {
                "packagePartNumber": pack.part,
                "packageSerialNumber": pack.serial,
                "THC_InfoMsg": {"isComplete": True, "isMIA": False, "THC_appGitHash": snap.git_hash[:14]},
                "THC_Logging": {"THC_LOG_PW_2_0_EnableLineState": "THC_LOG_PW_2_0_EnableLineState_Enabled"},
                "alerts": {"isComplete": True, "isMIA": False, "active": []},
            }
        )
    strings = {s.name: s for s in site.strings}
    solar = max(0.0, snap.flows.solar_w)
    pvac = {
        "packagePartNumber": PVAC_PART,
        "packageSerialNumber": site.leader.serial,
        "subPackagePartNumber": "",
        "subPackageSerialNumber": "",
        "PVAC_Status": {
            "isMIA": False,
            "PVAC_Pout": solar,
            "PVAC_State": "PVAC_Active" if solar > 0 else "PVAC_Standby",
            "PVAC_Vout": e.house_v,
            "PVAC_Fout": e.house_f,
        },
        "PVAC_InfoMsg": {"PVAC_appGitHash": snap.git_hash[:14]},
        "PVAC_Logging": {
            "isMIA": False,
            **{f"PVAC_PVCurrent_{n}": strings[n].current_a for n in "ABCD"},
            **{f"PVAC_PVMeasuredVoltage_{n}": strings[n].voltage_v for n in "ABCD"},
            "PVAC_VL1Ground": e.house_v / 2,
            "PVAC_VL2Ground": e.house_v / 2,
        },
        "alerts": {"isComplete": True, "isMIA": False, "active": faults},
    }
    pvs = {
        "PVS_Status": {
            "isMIA": False,
            "PVS_State": "PVS_Active",
            "PVS_vLL": e.house_v,
            **{f"PVS_String{n}_Connected": strings[n].connected for n in "ABCD"},
            "PVS_SelfTestState": "PVS_SelfTestOff",
        },
        "PVS_Logging": {"PVS_numStringsLockoutBits": 0, "PVS_sbsComplete": True},
        "alerts": {"isComplete": True, "isMIA": False, "active": []},
    }
    return {"PINV": pinv, "POD": pod, "THC": thc, "PVAC": [pvac], "PVS": [pvs]}


def _signal(name: str, value: Any = None, text: str | None = None, flag: bool | None = None) -> Doc:
    return {"name": name, "value": value, "textValue": text, "boolValue": flag, "timestamp": None}


def _msa_components(snap: Snapshot, site: Site) -> list[Doc]:
    """The device controller's ``components(filter:)`` list; ``type`` is what the filter matches."""
    uptime_ms = int((snap.t - snap.started_at) * 1000)
    sync = {
        "type": "TESYNC",
        "partNumber": snap.identity.din.split("--")[0],
        "serialNumber": snap.identity.gateway_serial,
        "signals": [
            _signal("SYNC_Uptime", uptime_ms),
            _signal("SYNC_ExternallyPowered", flag=False),
            _signal("SYNC_SiteSwitchEnabled", flag=False),
        ],
        "activeAlerts": [],
    }
    components = [sync]
    if not site.pw3:
        for pack in site.packs:
            components.append(
                {
                    "type": "TETHC",
                    "partNumber": pack.part,
                    "serialNumber": pack.serial,
                    "signals": [_signal("THC_AmbientTemp", pack.temp_c), _signal("THC_State", text="THC_STATE_NORMAL")],
                    "activeAlerts": [],
                }
            )
    return components


def pw3_can(snap: Snapshot) -> Doc:
    """What a Powerwall 3 adds to the device controller's ``pw3Can`` (its own firmware update)."""
    return {"firmwareUpdate": {"isUpdating": snap.update.installing, "progress": None}}


def components(site: Site, snap: Snapshot, pack: Pack) -> list[Doc]:
    """A Powerwall 3's ComponentsQuery / PW3Query components: its inverter (pch), packs (bms, hvp), safety (pws)."""
    e = site.electrical
    flows = snap.flows
    islanded = not snap.grid_connected
    alerts = [{"name": name} for name in _fault_alerts(snap)]
    pv = []
    for s in site.strings:
        state = "Pv_Active" if s.connected and s.power_w > 0 else "Pv_Standby"
        pv += [
            _signal(f"PCH_PvState_{s.name}", text=state),
            _signal(f"PCH_PvVoltage{s.name}", s.voltage_v),
            _signal(f"PCH_PvCurrent{s.name}", s.current_a),
        ]
    ac_v = 0.0 if flows.blackout else snap.config.nominal_voltage_v
    pch = [
        _signal("PCH_State", text="PCH_State_Active"),
        *pv,
        _signal("PCH_AcFrequency", e.house_f),
        _signal("PCH_AcVoltageAB", ac_v),
        _signal("PCH_AcVoltageAN", ac_v / 2),
        _signal("PCH_AcVoltageBN", ac_v / 2),
        _signal("PCH_BatteryPower", flows.battery_w),
        _signal("PCH_AcRealPowerAB", flows.battery_w + flows.solar_w),
        _signal("PCH_SlowPvPowerSum", max(0.0, flows.solar_w)),
        _signal("PCH_AcMode", text="AC_Islanded" if islanded else "AC_Connected"),
        _signal("PCH_DcdcState_A", text="DCDC_Active"),
        _signal("PCH_DcdcState_B", text="DCDC_Active"),
        _signal("PCH_AmbientTemp", site.ambient_c + 10.0),
        _signal("PCH_heatsinkTemp", 45.450980),
    ]
    packs = list(site.packs)
    bms = [
        {
            "type": "PW3BMS",
            "partNumber": p.part,
            "serialNumber": p.serial,
            "signals": [
                _signal("BMS_nominalEnergyRemaining", round(p.remaining_wh / 1000.0, 3)),
                _signal("BMS_nominalFullPackEnergy", round(p.full_wh / 1000.0, 3)),
                _signal("BMS_LOG_tempOutOfBounds", 0),
                _signal("BMS_LOG_tempOutOfBoundsCharge", 0),
            ],
            "activeAlerts": [],
        }
        for p in packs
    ]
    hvp = [
        {
            "type": "PW3HVP",
            "partNumber": p.part,
            "serialNumber": p.serial,
            "signals": [
                _signal("HVP_State", text="HVP_State_Active"),
                _signal("HVP_PackTempMax", p.temp_c),
                _signal("HVP_PackTempMin", round(p.temp_c - 3.5, 1)),
                _signal("HVP_ShuntTemperature", round(p.temp_c + 1.0, 1)),
            ],
            "activeAlerts": [],
        }
        for p in packs
    ]
    return [
        {
            "type": "PCH",
            "partNumber": pack.part,
            "serialNumber": pack.serial,
            "signals": pch,
            "activeAlerts": alerts,
        },
        *bms,
        *hvp,
        {
            "type": "PW3SAF",
            "partNumber": pack.part,
            "serialNumber": pack.serial,
            "signals": [_signal("PWS_SelfTest", text="PWS_SelfTest_Passed")],
            "activeAlerts": [],
        },
        {
            "type": "BAGGR",
            "partNumber": pack.part,
            "serialNumber": pack.serial,
            "signals": [
                _signal("BAGGR_State", text="BAGGR_STATE_ACTIVE"),
                _signal("BAGGR_NumBatteriesConnected", len(packs)),
                _signal("BAGGR_NumBatteriesPresent", len(packs)),
                _signal("BAGGR_NumBatteriesExpected", len(packs)),
            ],
            "activeAlerts": [],
        },
    ]
