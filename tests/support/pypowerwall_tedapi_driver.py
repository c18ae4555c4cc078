"""Drive pypowerwall 0.22.2, unmodified, in TEDAPI mode; run in a subprocess by the tests.

Its own process because pypowerwall keeps global state (caches, cooldowns,
logging) and because REQUESTS_CA_BUNDLE, set on these machines, overrides its
``verify=False``: the test clears it in this process's environment only.

    python pypowerwall_tedapi_driver.py HOST PASSWORD GW_PASSWORD API_VERSION

For each line read on stdin it reads everything once and prints one JSON line.
"""

from __future__ import annotations

import json
import sys

import pypowerwall


def reading(pw: pypowerwall.Powerwall) -> dict[str, object]:
    vitals = pw.vitals() or {}
    return {
        "mode": pw.tedapi_mode,
        "level": pw.level(),
        "power": pw.power(),
        "grid_status": pw.grid_status(),
        "vitals_keys": sorted(vitals),
        "strings": pw.strings(),
        "temps": pw.temps(),
        "alerts": sorted(pw.alerts()),
        "battery_blocks": pw.battery_blocks(),
        "din": pw.din(),
        "version": pw.version(),
        "reserve": pw.get_reserve(),
        "time_remaining": pw.get_time_remaining(),
    }


def main() -> None:
    host, password, gw_password, api_version = sys.argv[1:5]
    pw = pypowerwall.Powerwall(
        host,
        password=password,
        gw_pwd=gw_password,
        pwcacheexpire=0,  # every call asks the gateway: an outage shows at once
        timeout=10,
        cachefile="",
        tedapi_api_version=api_version,
        auto_select=False,
    )
    for _ in sys.stdin:
        print(json.dumps(reading(pw), default=str), flush=True)


if __name__ == "__main__":
    main()
