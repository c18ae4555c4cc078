"""Bodies of newer firmware that are mostly fixed tables, in the shapes of the 21.x-24.x captures."""

from __future__ import annotations

from typing import Any

from emulator.device.identity import Identity
from emulator.device.snapshot import Snapshot
from emulator.firmware.formats import go_ipnet, rfc3339nano
from emulator.model.pv import pv_strings

_RUNNING_MESSAGE = 'Cannot perform this action with site controller running. From landing page, either "STOP SYSTEM" or "RUN WIZARD" to proceed.'

AUTH_TOGGLE = {"toggle_auth_supported": True}
AUTOCONFIG = {
    "status": "not_applicable",
    "running": False,
    "retry_possible": False,
    "have_registered": False,
    "have_timezone": False,
    "have_gridcode": False,
    "grid_availability": "",
}
METERS_STATUS = {"status": "", "errors": None}
CLIENT_PROTOCOLS = {"dnp3": False, "m2m": False, "mtls": False, "modbus": False, "allow_public_ip": False}
PVI_SUB_PACKAGES = {"pvi_sub_package_numbers": [None]}
CT_VOLTAGE_REFERENCES = {"ct1": "Phase1", "ct2": "Phase2", "ct3": "Phase1"}
CT_VOLTAGE_OPTIONS = {"ct1": ["Phase1"], "ct2": ["Phase2"], "ct3": ["Phase1", "Phase2"]}
PING_TEST: dict[str, Any] = {"Error": {}}
PROBLEMS: dict[str, Any] = {"problems": []}
SYSTEM_TESTING = {  # real 21.x also sends "error": "", left out: clients reject 2xx bodies with an error key
    "running": False,
    "status": "TestNotRun",
    "charge_tests": None,
    "meter_results": None,
    "inverter_results": None,
    "hysteresis": 0,
    "errors": None,
    "tests": None,
}
LEGAL_RADIO = [
    {"manufacturer": "Telit", "model": "HE910-D", "fcc_id": "RI7HE910", "ic_id": "5131A-HE910"},
    {"manufacturer": "Redpine", "model": "RS9113DB", "fcc_id": "XF6-RS9113DB", "ic_id": "8407A-RS9113DB"},
]
ACCESS_POINTS = [
    {
        "ssid": "HomeNetwork",
        "bssid": "a4:2b:b0:11:22:33",
        "channel": 11,
        "signal_strength": 75,
        "security_type": "WPA2_Personal",
    },
    {
        "ssid": "Neighbour-5G",
        "bssid": "f0:9f:c2:44:55:66",
        "channel": 1,
        "signal_strength": 52,
        "security_type": "WPA2_Personal",
    },
    {
        "ssid": "CoffeeShopGuest",
        "bssid": "00:1a:2b:77:88:99",
        "channel": 6,
        "signal_strength": 35,
        "security_type": "NONE",
    },
]
PHASE_USAGES_ERROR = (500, "no phase information", "Failed getting phase detection information")
CT_OPTIONS_WHILE_RUNNING = (
    400,
    "run sitemanager flag enabled, sitemanager process is running",
    "Failed to read Synchrometer Y CT available pairings. Please try again or reboot Gateway",
)


def _check(name: str, status: str, start: str | None, message: str | None = None) -> dict[str, Any]:
    check: dict[str, Any] = {"name": name, "status": status, "start_time": start, "end_time": start}
    if message is not None:
        check.update(message=message, results={}, debug={}, checks=None)
    else:
        check.update(progress=0, results=None, debug=None, checks=None)
    return check


def powerwall_entry(snap: Snapshot, serial: str, part: str) -> dict[str, Any]:
    when = rfc3339nano(snap.t, snap.zone)
    running = snap.sitemaster_running
    status, message = ("fail", _RUNNING_MESSAGE) if running else ("pass", "")
    commissioning = [
        _check(name, status, when, message)
        for name in ("CAN connectivity", "Enable switch", "Internal communications", "Firmware up-to-date")
    ]
    update = [
        _check(name, "not_run", None)
        for name in ("Powerwall firmware", "Battery firmware", "Inverter firmware", "Grid code")
    ]
    return {
        "Type": "",
        "PackagePartNumber": part,
        "PackageSerialNumber": serial,
        "type": "ACPW",
        "grid_state": "Grid_Compliant" if snap.grid_utility_up else "Grid_Uncompliant",
        "grid_reconnection_time_seconds": 0,
        "under_phase_detection": False,
        "updating": snap.update.installing,
        "commissioning_diagnostic": {
            "name": "Commissioning",
            "category": "InternalComms",
            "disruptive": False,
            "inputs": None,
            "checks": commissioning,
            "alert": False,
        },
        "update_diagnostic": {
            "name": "Firmware Update",
            "category": "InternalComms",
            "disruptive": True,
            "inputs": None,
            "checks": update,
            "alert": False,
        },
        "bc_type": None,
        "in_config": True,
    }


def installer(running: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "company": "Clean Solar",
        "customer_id": "592ff91a-2372-46d5-85dd-35966a6ba1ae",
        "phone": "8885551212",
        "email": "installer@example.com",
        "location": "Outdoor",
        "mounting": "Floor",
        "wiring": "Side",
        "backup_configuration": "Partial Home",
        "solar_installation": "Existing",
        "solar_installation_type": "PV Panel",
        "has_cellular_modem_to_wifi": True,
    }
    if running:  # real gateways drop the flag while stopped
        body["run_sitemaster"] = True
    body.update(verified_config=True, installation_types=["Residential"])
    return body


def meters(identity: Identity) -> list[dict[str, Any]]:
    din = identity.din

    def ct(kind: str, valid: list[bool], scale: int) -> dict[str, Any]:
        return {"type": kind, "valid": valid, "inverted": [False] * 4, "real_power_scale_factor": scale}

    return [
        {
            "serial": identity.meter_serial + "synchrometerY",
            "short_id": din,
            "type": "synchrometerY",
            "cts": [ct("site", [True, True, False, False], 1), ct("solar", [False, False, True, False], 2)],
        },
        {
            "serial": identity.meter_serial + "synchrometerX",
            "short_id": din,
            "type": "synchrometerX",
            "cts": [ct("site", [True, True, False, False], 1)],
        },
    ]


def meter_cts(identity: Identity, serial: str) -> list[dict[str, Any]] | None:
    for meter in meters(identity):
        if meter["serial"] == serial:
            cts: list[dict[str, Any]] = meter["cts"]
            return cts
    return None


_IFACE_INFO = {"state": "DeviceStateReady", "state_reason": "DeviceStateReasonNone"}
_WIFI = "HomeNetwork"


def networks(disabled: frozenset[str]) -> list[dict[str, Any]]:
    """/api/networks as 21.x writes it (21.44 capture): ``ip_networks`` entries are ``{"ip","mask"}``
    and the inactive ethernet entry has no ``iface_network_info``."""
    wifi_on = _WIFI not in disabled
    return [
        {
            "network_name": "ethernet_tesla_internal_default",
            "interface": "EthType",
            "dhcp": True,
            "enabled": True,
            "extra_ips": [{"ip": "192.168.90.2", "netmask": 24}],
            "active": False,
            "primary": False,
            "lastTeslaConnected": False,
            "lastInternetConnected": False,
        },
        {
            "network_name": _WIFI,
            "interface": "WifiType",
            "security_type": "WPA2_Personal",
            "dhcp": True,
            "username": "",
            "enabled": wifi_on,
            "active": wifi_on,
            "primary": wifi_on,
            "lastTeslaConnected": wifi_on,
            "lastInternetConnected": wifi_on,
            "iface_network_info": {
                "network_name": _WIFI,
                "ip_networks": [{"ip": "192.168.1.50", "mask": "255.255.255.0"}],
                "gateway": "192.168.1.1",
                "interface": "WifiType",
                **_IFACE_INFO,
                "signal_strength": 71,
                "hw_address": "",
            },
        },
    ]


def networks_go_ipnet(disabled: frozenset[str]) -> list[dict[str, Any]]:
    """/api/networks as 23.28+ writes it (23.28.2 capture): ``enabled`` before ``dhcp``, and every
    entry, ethernet included, has ``iface_network_info`` whose ``ip_networks`` are Go ``net.IPNet``s."""
    wifi_on = _WIFI not in disabled

    def info(name: str, interface: str, signal: int) -> dict[str, Any]:
        return {
            "network_name": name,
            "ip_networks": [go_ipnet("255.255.255.0")],
            "gateway": "",
            "interface": interface,
            **_IFACE_INFO,
            "signal_strength": signal,
            "hw_address": "",
        }

    return [
        {
            "network_name": "ethernet_tesla_internal_default",
            "interface": "EthType",
            "enabled": True,
            "dhcp": True,
            "extra_ips": [{"ip": "192.168.90.2", "netmask": 24}],
            "active": False,
            "primary": False,
            "lastTeslaConnected": False,
            "lastInternetConnected": False,
            "iface_network_info": info("ethernet_tesla_internal_default", "EthType", 0),
        },
        {
            "network_name": _WIFI,
            "interface": "WifiType",
            "enabled": wifi_on,
            "dhcp": True,
            "security_type": "WPA2_Personal",
            "username": "",
            "active": wifi_on,
            "primary": wifi_on,
            "lastTeslaConnected": wifi_on,
            "lastInternetConnected": wifi_on,
            "iface_network_info": info(_WIFI, "WifiType", 71),
        },
    ]


def conn_tests(snap: Snapshot) -> dict[str, Any]:
    """Newer firmware reports connection tests as a diagnostic with checks."""
    done = snap.conn_tests_done
    if done is None:
        status, start = "not_run", None
    else:
        status, start = (
            ("pass" if done else "running"),
            rfc3339nano(snap.conn_tests_started or snap.t, snap.zone),
        )
    checks = [_check(name, status, start) for name in ("Network device", "Internet", "Tesla servers")]
    return {
        "name": "Network connection",
        "category": "Network",
        "disruptive": False,
        "inputs": None,
        "checks": checks,
        "alert": False,
    }


def solar_powerwall(snap: Snapshot) -> dict[str, Any]:
    """The Powerwall+ inverter's view: four strings sharing today's PV power."""
    solar = max(0.0, snap.flows.solar_w)
    when = rfc3339nano(snap.t, snap.zone)
    strings = [
        {
            "string_id": string_id,
            "connected": string.connected,
            "measured_voltage": string.voltage_v,
            "current": string.current_a,
            "measured_power": string.power_w,
        }
        for string_id, string in enumerate(pv_strings(solar, "ABCD", 3), start=1)
    ]
    islanded = not snap.grid_connected
    return {
        "pvac_status": {
            "state": "PVAC_Active" if solar > 0 else "PVAC_Standby",
            "disabled": False,
            "disabled_reasons": [],
            "grid_state": "Grid_Compliant",
            "inv_state": "INV_Grid_Forming" if islanded else "INV_Grid_Connected",
            "v_out": snap.config.nominal_voltage_v,
            "f_out": snap.config.nominal_frequency_hz,
            "p_out": solar,
            "q_out": -10,
            "i_out": solar / snap.config.nominal_voltage_v,
            "string_vitals": strings,
        },
        "pvs_status": {
            "state": "PVS_GridSupporting",
            "disabled": False,
            "enable_output": True,
            "v_ll": snap.config.nominal_voltage_v,
            "self_test_state": "PVS_SelfTestOff",
        },
        "pv_power_limit": snap.config.pv_rating_w,
        "power_status_setpoint": "on",
        "pvac_alerts": {
            "LastRxTime": when,
            "ReceivedMuxBitmask": 1,
            "PVAC_alertMatrixIndex": 0,
            "PVAC_a009_SwAppBoot": False,
            "PVAC_a041_excess_PV_clamp_triggered": snap.flows.curtailed_w > 0,
        },
        "pvs_alerts": {
            "LastRxTime": when,
            "ReceivedMuxBitmask": 0,
            "PVS_a001_WatchdogReset": False,
            "PVS_a018_MciStringB": False,
        },
    }
