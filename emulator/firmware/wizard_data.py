"""Fixed tables the commissioning wizard reads: grid codes, inverter brands, installers, networks.

Real gateways ship long lists; these are short, representative excerpts in
the same shapes (see the seed notes and the captures named in the research).
"""

from __future__ import annotations

from typing import Any

GRID_CODES = [
    {
        "grid_code": "60Hz_240V_s_UL1741SA:2016_California",
        "grid_voltage_setting": 240,
        "grid_freq_setting": 60,
        "grid_phase_setting": "Split",
        "country": "United States",
        "state": "California",
        "distributor": "*",
        "utility": "*",
        "retailer": "*",
        "region": "UL1741SA",
    },
    {
        "grid_code": "60Hz_240V_s_IEEE1547:2003",
        "grid_voltage_setting": 240,
        "grid_freq_setting": 60,
        "grid_phase_setting": "Split",
        "country": "United States",
        "state": "*",
        "distributor": "*",
        "utility": "*",
        "retailer": "*",
        "region": "IEEE1547",
    },
    {
        "grid_code": "50Hz_230V_1_G83/2:2012",
        "grid_voltage_setting": 230,
        "grid_freq_setting": 50,
        "grid_phase_setting": "Single",
        "country": "United Kingdom",
        "state": "*",
        "distributor": "*",
        "utility": "*",
        "retailer": "*",
        "region": "G83/2",
    },
    {
        "grid_code": "50Hz_230V_1_AS4777.2:2015_Australia",
        "grid_voltage_setting": 230,
        "grid_freq_setting": 50,
        "grid_phase_setting": "Single",
        "country": "Australia",
        "state": "*",
        "distributor": "*",
        "utility": "*",
        "retailer": "*",
        "region": "AS4777.2",
    },
]

SOLAR_MODELS: dict[str, list[str]] = {
    "SolarEdge Technologies": [
        "SE3000 (240V) w/ -ER-US or A-US",
        "SE3800 (240V) w/ -ER-US or A-US",
        "SE5000 (240V) w/ -ER-US or A-US",
        "SE6000 (240V) w/ -ER-US or A-US",
        "SE7600 (240V) w/ -ER-US or A-US",
        "SE10000 (240V) w/ -ER-US or A-US",
    ],
    "Enphase Energy": ["IQ7-60-2-US (240V)", "IQ7PLUS-72-2-US (240V)", "IQ8PLUS-72-2-US (240V)"],
    "Fronius International GmbH": ["Primo 3.8-1 208-240", "Primo 5.0-1 208-240", "Primo 7.6-1 208-240"],
    "SMA America": ["SB3.8-1SP-US-40 (240V)", "SB5.0-1SP-US-40 (240V)", "SB7.7-1SP-US-40 (240V)"],
    "Tesla": ["Solar Inverter 3.8 kW", "Solar Inverter 7.6 kW"],
}

SOLAR_BRANDS = sorted(SOLAR_MODELS)

INSTALLER_COMPANIES = [
    {"company": "1 Willpower Ltd", "customer_id": "AN-0000059"},
    {"company": "1000 Energie", "customer_id": "AN-0000062"},
    {"company": "Tesla Orange County", "customer_id": "AN-0000412"},
    {"company": "Tesla Timbuktu", "customer_id": "AN-0000999"},
]

GENERATOR_DISCONNECT_TYPES = ["DownstreamATS"]
WIFI_SECURITY_TYPES = ["NONE", "WEP", "WPAorWPA2_Personal"]

SYSTEM_TESTING = {
    "running": False,
    "status": "TestPassed",
    "charge_tests": [0, -1000, -2000, -1000, 0],
    "meter_results": None,
    "inverter_results": None,
    "hysteresis": 0.05,
    "error": "",
    "errors": None,
    "tests": None,
}

CONN_TEST_NAMES = ("Config Syncer Test", "Google GET Test", "Hermes Status Test", "Synergy Data Test")

ACCESS_POINTS = [
    {"network_name": "HomeNetwork", "security_type": "WPA2_Personal", "signal_strength": 78},
    {"network_name": "Neighbour-5G", "security_type": "WPA2_Personal", "signal_strength": 41},
    {"network_name": "CoffeeShopGuest", "security_type": "NONE", "signal_strength": 22},
]


def interfaces_1_15(disabled: frozenset[str]) -> list[dict[str, Any]]:
    """/api/networks on 1.15.0: numbered interfaces; a disabled one shows disconnected (wifi0 also loses its address)."""
    wifi_enabled = "171" not in disabled
    return [
        {
            "id": 2,
            "name": "can0",
            "connected": True,
            "is_dhcp": True,
            "ip_address": "",
            "subnet": "",
            "config": None,
        },
        {
            "id": 3,
            "name": "eth0",
            "connected": "3" not in disabled,
            "is_dhcp": True,
            "ip_address": "",
            "subnet": "",
            "config": None,
        },
        {
            "id": 170,
            "name": "rpine0",
            "connected": "170" not in disabled,
            "is_dhcp": True,
            "ip_address": "",
            "subnet": "",
            "config": None,
        },
        {
            "id": 171,
            "name": "wifi0",
            "connected": wifi_enabled,
            "is_dhcp": True,
            "ip_address": "192.168.1.50" if wifi_enabled else "",
            "subnet": "255.255.255.0",
            "config": {
                "network_name": "HomeNetwork",
                "interface": "WifiType",
                "security_type": "WPA2_Personal",
                "dhcp": True,
                "enabled": wifi_enabled,
            },
        },
        {
            "id": 172,
            "name": "wifi1",
            "connected": True,
            "is_dhcp": True,
            "ip_address": "192.168.91.1",
            "subnet": "255.255.255.0",
            "config": None,
        },
    ]


def system_networks_1_15(disabled: frozenset[str]) -> list[dict[str, Any]]:
    """/api/system/networks on 1.15.0: the networks it knows, the home Wi-Fi enabled unless disabled."""
    return [
        {"network_name": "default_gsm", "interface": "GsmType", "security_type": "NONE", "dhcp": None},
        {"network_name": "default_eth", "interface": "EthType", "security_type": "NONE", "dhcp": True},
        {
            "network_name": "HomeNetwork",
            "interface": "WifiType",
            "security_type": "WPA2_Personal",
            "dhcp": True,
            "enabled": "171" not in disabled,
        },
    ]
