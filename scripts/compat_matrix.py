"""Write docs/compatibility.md from real runs: each client library, unmodified, against each firmware profile.

    python scripts/compat_matrix.py           # run every cell, write the page
    python scripts/compat_matrix.py --check   # run every cell, exit 1 (with the diff) if the page is stale

Home Assistant users keep asking which Powerwall and which firmware a library works with. This answers from
evidence: every cell is one run of the client against a fresh emulated gateway of that firmware (two
Powerwalls, the clock paused), and a feature counts only when what the client says agrees with the gateway's
own state (GET /_emulator/state). Nothing is cached between runs; tests/e2e/test_compatibility_page.py runs
this with --check, so the page cannot drift from what the clients do.

pypowerwall's hybrid mode talks to 192.168.91.1:443 only (the gateway's Wi-Fi address). Its cell routes that
address to the emulator inside this process (socket.getaddrinfo), as the gateway's Wi-Fi would: the client's
code is untouched.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import difflib
import logging
import os
import socket
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "compatibility.md"
GW_PASSWORD = "ABCDEFGHIJ"  # the QR sticker's: TEDAPI Basic, and a Powerwall 3's customer password's source
WIFI = "192.168.91.1"
NEW_RESERVE = 30.0
Probe = Callable[[Any], dict[str, bool]]


@dataclass(frozen=True)
class Row:
    client: str  # the distribution, whose version the page names
    mode: str
    features: tuple[str, ...]
    probe: Probe
    not_modelled: tuple[str, ...] = ()  # features the emulator does not serve this client (marked when they fail)


# -- what agrees with the gateway ------------------------------------------------------------------------------
def near(value: Any, expected: float, tolerance: float) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value - expected) <= tolerance


def flows_agree(power: Any, state: dict[str, Any], key: Callable[[str], str] = str) -> bool:
    """Each meter's power within 1.5 W of the gateway's (TEDAPI values are rounded)."""
    return isinstance(power, dict) and all(
        near(power.get(key(meter)), state["power_w"][meter], 1.5) for meter in ("site", "battery", "load", "solar")
    )


def attempt(results: dict[str, bool], feature: str, check: Callable[[], bool]) -> None:
    """Run one feature's check; anything it raises means the feature does not work."""
    try:
        results[feature] = bool(check())
    except Exception:  # a client failing in any way is the finding, not an error of this script
        results[feature] = False


# -- pypowerwall (one object per mode; its own cache off) ------------------------------------------------------
PYPOWERWALL = ("SOE", "power", "grid", "reserve", "set reserve", "vitals", "battery blocks", "version")
PYPOWERWALL_TEDAPI = (*PYPOWERWALL, "TEDAPI")  # "TEDAPI": it found the TEDAPI (else it fell back, or failed)


def pypowerwall_probe(gw: Any, connect: Callable[[], Any], tedapi_mode: str | None = None) -> dict[str, bool]:
    results: dict[str, bool] = {}
    try:
        pw = connect()
    except Exception:  # a client that cannot even be built works with nothing
        return dict.fromkeys(PYPOWERWALL_TEDAPI, False)
    results["TEDAPI"] = tedapi_mode is not None and pw.tedapi_mode == tedapi_mode
    state = gw.state()
    attempt(results, "SOE", lambda: near(pw.level(), state["soe_pct"], 1.0))
    attempt(results, "power", lambda: flows_agree(pw.power(), state))
    attempt(results, "grid", lambda: pw.grid_status() == "UP")
    attempt(results, "reserve", lambda: near(pw.get_reserve(), state["operation"]["backup_reserve_app_percent"], 0.5))
    attempt(results, "vitals", lambda: bool(pw.vitals()))
    attempt(results, "battery blocks", lambda: len(pw.battery_blocks() or {}) == state["powerwalls"])
    attempt(results, "version", lambda: str(pw.version()).startswith(state["firmware"]))
    attempt(results, "set reserve", lambda: _set_reserve(gw, lambda: pw.set_reserve(NEW_RESERVE)))
    return results


def _set_reserve(gw: Any, write: Callable[[], Any]) -> bool:
    """The write reached the gateway: its reserve is now NEW_RESERVE on the API or the app's scale."""
    write()
    reserve = gw.state()["operation"]
    return near(reserve["backup_reserve_percent"], NEW_RESERVE, 0.5) or near(
        reserve["backup_reserve_app_percent"], NEW_RESERVE, 0.5
    )


def pypowerwall_local(gw: Any) -> dict[str, bool]:
    import pypowerwall

    return pypowerwall_probe(
        gw, lambda: pypowerwall.Powerwall(gw.host, password=gw.password, cachefile="", pwcacheexpire=0, timeout=5)
    )


def pypowerwall_tedapi(gw: Any) -> dict[str, bool]:
    import pypowerwall

    def connect() -> Any:
        return pypowerwall.Powerwall(
            gw.host, password="", gw_pwd=GW_PASSWORD, cachefile="", pwcacheexpire=0, timeout=5, failover=False
        )

    return pypowerwall_probe(gw, connect, "full")


def pypowerwall_hybrid(gw: Any) -> dict[str, bool]:
    import pypowerwall

    def connect() -> Any:
        return pypowerwall.Powerwall(
            WIFI, password=gw.password, gw_pwd=GW_PASSWORD, cachefile="", pwcacheexpire=0, timeout=5, failover=False
        )

    with wifi_routed_to(gw.port):
        return pypowerwall_probe(gw, connect, "hybrid")


def pypowerwall_v1r(gw: Any) -> dict[str, bool]:
    import pypowerwall

    with tempfile.TemporaryDirectory() as folder:
        key = Path(folder) / "tedapi_rsa_private.pem"
        key.write_bytes(gw.verified_key())

        def connect() -> Any:
            return pypowerwall.Powerwall(
                gw.host, gw_pwd=GW_PASSWORD, rsa_key_path=str(key), failover=False, pwcacheexpire=0, timeout=5
            )

        return pypowerwall_probe(gw, connect, "v1r")


@contextlib.contextmanager
def wifi_routed_to(port: int) -> Iterator[None]:
    """Connections to 192.168.91.1:443 reach 127.0.0.1:``port`` while this block runs (in this process)."""
    real = socket.getaddrinfo

    def routed(host: Any, port_: Any, *args: Any, **kwargs: Any) -> Any:
        if host == WIFI and str(port_) == "443":
            return real("127.0.0.1", port, *args, **kwargs)
        return real(host, port_, *args, **kwargs)

    socket.getaddrinfo = routed  # type: ignore[assignment]  # the same call, with the address routed
    try:
        yield
    finally:
        socket.getaddrinfo = real


# -- tesla-powerwall (Home Assistant's core integration) -------------------------------------------------------
TESLA_POWERWALL = ("SOE", "power", "grid", "reserve", "battery blocks", "site info", "version", "go off-grid")


def tesla_powerwall(gw: Any) -> dict[str, bool]:
    from tesla_powerwall import GridStatus, IslandMode, MeterType, Powerwall

    state = gw.state()
    results: dict[str, bool] = {}

    async def run() -> None:
        async with Powerwall(gw.host, timeout=5) as pw:
            try:
                await pw.login(gw.password)
            except Exception:  # no login: every feature below fails, as for a user
                pass

            async def check(feature: str, read: Callable[[], Any], agrees: Callable[[Any], bool]) -> None:
                try:
                    results[feature] = bool(agrees(await read()))
                except Exception:  # the finding
                    results[feature] = False

            await check("SOE", pw.get_charge, lambda v: near(v, state["soe_pct"], 0.5))  # the API's scale

            def meters(aggregates: Any) -> dict[str, Any]:
                return {k: aggregates.get_meter(MeterType(k)).instant_power for k in state["power_w"]}

            await check("power", pw.get_meters, lambda m: flows_agree(meters(m), state))
            await check("grid", pw.get_grid_status, lambda v: v == GridStatus.CONNECTED)
            reserve = state["operation"]["backup_reserve_percent"]
            await check("reserve", pw.get_backup_reserve_percentage, lambda v: near(v, reserve, 0.5))
            await check("battery blocks", pw.get_batteries, lambda v: len(v) == state["powerwalls"])
            await check("site info", pw.get_site_info, lambda v: v.site_name == "Home Energy Gateway")
            await check("version", pw.get_version, lambda v: str(v).startswith(state["firmware"]))

            async def island() -> Any:
                return await pw.set_island_mode(IslandMode.OFFGRID)

            await check("go off-grid", island, lambda _: gw.state()["grid"]["status"] != "SystemGridConnected")

    asyncio.run(run())
    return results


# -- aiopowerwall (Home Assistant's teslemetry local control: TEDAPI v1r) -------------------------------------
AIOPOWERWALL = ("SOE", "power", "grid", "reserve", "set reserve", "config", "version")


def aiopowerwall(gw: Any) -> dict[str, bool]:
    from aiopowerwall import PowerwallClient, battery_level_raw, current_power

    pem = gw.verified_key()
    state = gw.state()
    results: dict[str, bool] = {}

    async def run() -> None:
        async with PowerwallClient(
            host=gw.host, gateway_password=GW_PASSWORD, rsa_private_key_pem=pem, timeout=5
        ) as client:
            with contextlib.suppress(Exception):  # no connection: every feature below fails, as for a user
                await client.connect()

            async def check(feature: str, read: Callable[[], Any], agrees: Callable[[Any], bool]) -> None:
                try:
                    results[feature] = bool(agrees(await read()))
                except Exception:  # the finding
                    results[feature] = False

            await check("SOE", client.get_status, lambda s: near(battery_level_raw(s), state["soe_pct"], 0.5))
            await check("power", client.get_status, lambda s: flows_agree(current_power(s), state, str.upper))
            await check("grid", client.get_grid_status, lambda v: v == "SystemGridConnected")
            reserve = state["operation"]["backup_reserve_percent"]
            await check(
                "reserve", client.get_config, lambda c: near(c["site_info"]["backup_reserve_percent"], reserve, 0.5)
            )
            await check("config", client.get_config, lambda c: c["default_real_mode"] == state["operation"]["mode"])
            await check(
                "version",
                client.get_firmware_details,
                lambda f: str(f["system"]["version"]["text"]).startswith(state["firmware"]),
            )

            async def write() -> Any:
                await client.set_backup_reserve(NEW_RESERVE)
                return True

            await check("set reserve", write, lambda _: _set_reserve(gw, lambda: None))

    asyncio.run(run())
    return results


ROWS = (
    Row("pypowerwall", "local REST (customer password)", PYPOWERWALL, pypowerwall_local),
    Row("pypowerwall", "TEDAPI v1 (gateway password only)", PYPOWERWALL_TEDAPI, pypowerwall_tedapi),
    Row("pypowerwall", "hybrid (REST + TEDAPI at 192.168.91.1)", PYPOWERWALL_TEDAPI, pypowerwall_hybrid),
    Row("pypowerwall", "TEDAPI v1r (registered RSA key)", PYPOWERWALL_TEDAPI, pypowerwall_v1r),
    Row("tesla-powerwall", "REST (Home Assistant's powerwall)", TESLA_POWERWALL, tesla_powerwall),
    Row("aiopowerwall", "TEDAPI v1r (Home Assistant's teslemetry)", AIOPOWERWALL, aiopowerwall),
)
NOT_MODELLED = "†"


# -- running and writing -------------------------------------------------------------------------------------
def run_cell(row: Row, firmware: str) -> dict[str, bool]:
    """One run of ``row``'s client against a fresh gateway of ``firmware``."""
    import emulator

    with emulator.running(firmware=firmware, powerwalls=2, paused=True, gw_password=GW_PASSWORD) as gw, no_backoff():
        found = row.probe(gw)
    missing = set(row.features) - set(found)
    if missing:
        raise RuntimeError(f"{row.client} {row.mode}: the probe did not try {sorted(missing)}")
    return found


@contextlib.contextmanager
def no_backoff() -> Iterator[None]:
    """urllib3's retries skip their back-off waits (every attempt is still made): pypowerwall retrying a
    gateway that never answers HTTPS would otherwise wait out a minute per cell."""
    from urllib3.util.retry import Retry

    waits = Retry._sleep_backoff
    Retry._sleep_backoff = lambda self: None  # type: ignore[method-assign]  # the wait only, not the attempt
    try:
        yield
    finally:
        Retry._sleep_backoff = waits  # type: ignore[method-assign]


def cell_text(row: Row, found: dict[str, bool]) -> str:
    works = [f for f in row.features if found[f]]
    fails = [f + (NOT_MODELLED if f in row.not_modelled else "") for f in row.features if not found[f]]
    if not works:
        return "✗ nothing works"
    return "✓ " + ", ".join(works) + (f"<br>✗ {', '.join(fails)}" if fails else "")


def page(firmwares: list[tuple[str, str]], cells: dict[tuple[int, str], str]) -> str:
    clients = sorted({row.client for row in ROWS})
    header = "| client, mode | " + " | ".join(label for _, label in firmwares) + " |"
    lines = [header, "|" + "---|" * (len(firmwares) + 1)]
    for index, row in enumerate(ROWS):
        lines.append(f"| **{row.client}** {row.mode} | " + " | ".join(cells[(index, v)] for v, _ in firmwares) + " |")
    table = "\n".join(lines)
    versions = ", ".join(f"{name} {version(name)}" for name in clients)
    return PAGE_TEXT.format(table=table, versions=versions, not_modelled=NOT_MODELLED)


PAGE_TEXT = """# Compatibility

Which client library works with which Powerwall and firmware, from evidence: every cell below is one real run of
the unmodified client library against a fresh emulated gateway of that firmware (two Powerwalls, the clock
paused), and a feature counts only when what the client says agrees with the gateway's own state
(`GET /_emulator/state`). The clients: {versions}.

<!-- Generated by `python scripts/compat_matrix.py` from those runs; do not edit by hand.
     tests/e2e/test_compatibility_page.py runs them again and fails when this page is stale. -->

{table}

## The features

- **SOE**: the battery's charge, on the client's scale; **power**: site, battery, load and solar power, each within
  1.5 W; **grid**: the grid reads as connected; **reserve**: the backup reserve, on the client's scale.
- **set reserve**: the client's reserve write reaches the gateway (`/_emulator/state` shows the new reserve).
- **TEDAPI**: pypowerwall runs in the TEDAPI mode it was asked for (else it fell back to REST alone, or failed).
- **vitals**: pypowerwall's `vitals()` has devices (from `/api/devices/vitals` on 21.44.1, from the TEDAPI in
  its TEDAPI modes); **battery blocks**: one per Powerwall; **site info**: the site's name; **config**: the
  gateway's `config.json` (its operation mode); **version**: the firmware version the gateway reports.

## Why a cell says no

- **1.15.0** serves plain HTTP, and every client here speaks HTTPS only.
- **21.44.1** (20.49 to 23.36) has no TEDAPI, so the TEDAPI modes find nothing; its `/api/devices/vitals` is
  what pypowerwall's local mode reads vitals from.
- **24.4.0** (23.44 and later) answers `/api/devices/vitals` with 404; a Powerwall 2 on it serves the TEDAPI
  over HTTP Basic (`/tedapi/v1`), but not v1r.
- **25.10.1** is a Powerwall 3: three `/api/` reads behind the customer login (aggregates, SOE, grid status),
  everything else through the TEDAPI (Basic on the Wi-Fi, or v1r with a registered key); no `/api/status`,
  `/api/operation` or `/api/system_status`.
- pypowerwall's hybrid mode talks to the gateway's Wi-Fi address, 192.168.91.1:443; the run routes that address
  to the emulator (the client's code is unchanged).
- pypowerwall's TEDAPI v1 (HTTP Basic) mode writes nothing: a Wi-Fi TEDAPI is read-only; writes need v1r.
- Retries' back-off waits are skipped during the runs (urllib3's; every attempt is still made), so a client
  retrying a gateway that never answers gives up in a second rather than a minute.
- The v1r rows run with a key the gateway has verified (`verified_key()`, as after a registration and the
  Powerwall 3's switch toggle).

A firmware update can move a running site from one column to the next: [Firmware updates](firmware-updates.md).
"""


def build() -> str:
    from emulator.contract import firmware_facts

    firmwares = [(v, f"{v} (Powerwall 3)" if f.hardware == "powerwall3" else v) for v, f in firmware_facts().items()]
    cells = {(i, v): cell_text(row, run_cell(row, v)) for i, row in enumerate(ROWS) for v, _ in firmwares}
    return page(firmwares, cells)


def quiet() -> None:
    """The clients log and warn at every failure a cell provokes on purpose; the page is the report."""
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):  # they would override pypowerwall's verify=False
        os.environ.pop(name, None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 with the diff if docs/compatibility.md is stale")
    args = parser.parse_args(argv)
    quiet()
    text = build()
    if not args.check:
        PAGE.write_text(text, "utf-8")
        print(f"wrote {PAGE.relative_to(ROOT)}")
        return 0
    current = PAGE.read_text("utf-8") if PAGE.is_file() else ""
    if current == text:
        return 0
    diff = difflib.unified_diff(
        current.splitlines(), text.splitlines(), "docs/compatibility.md", "a run now", lineterm=""
    )
    print("\n".join(diff))
    print("docs/compatibility.md is stale: regenerate it with `python scripts/compat_matrix.py`", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
