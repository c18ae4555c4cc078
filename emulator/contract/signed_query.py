"""The TEDAPI's signed queries: facts of the wire that only Tesla can make.

A gateway answers a GraphQL query only with Tesla's signature of its text. The
recorder (to record a real gateway's status and its Powerwall 3s' components)
and the contract suite (to read a real Powerwall 3's status) both send the
pre-signed queries that pypowerwall ships as data. Read here, in the contract
layer both may use, so the suite still imports nothing of the emulator's own
code and the files are read one way.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

# The signal names pypowerwall 0.22.2 asks a Powerwall 3 for beyond its ComponentsQuery capture (its
# EXTRA_SIGNAL_NAMES, hardware-validated there): the temperatures, fans and battery counters its vitals and
# temps() read. Only the query text is signed, so these unsigned variables may name more; a gateway drops
# names it does not know. Kept as data here because pypowerwall keeps them in code, which we do not import.
COMPONENTS_EXTRA_SIGNALS: dict[str, tuple[str, ...]] = {
    "pchSignalNames": (
        "PCH_AmbientTemp",
        "PCH_heatsinkTemp",
        "PCH_FanSpeed_A",
        "PCH_FanSpeed_B",
        "PCH_FanDuty_A",
        "PCH_FanDuty_B",
        "PCH_AcRealPowerSum",
        "PCH_AcVoltageCN",
        "PCH_AcVoltageLL",
        "PCH_pcbaId",
        "PCH_usageId",
    ),
    "bmsSignalNames": (
        "BMS_LOG_tempOutOfBounds",
        "BMS_LOG_tempOutOfBoundsCharge",
        "BMS_kwhDischargeTotal",
        "BMS_LOG_ahDischargeTotal",
        "BMS_LOG_cacAvg",
        "BMS_LOG_numFullBattCycles",
        "BMS_LOG_overDischargeCounter",
        "BMS_LOG_selfDischargeRate",
    ),
    "hvpSignalNames": (
        "HVP_PackTempMax",
        "HVP_PackTempMin",
        "HVP_ShuntTemperature",
        "HVP_SafetyBiDisconnectState",
        "HVP_a061_LockoutOnIsoFaultRetry",
    ),
    "pwsSignalNames": (
        "PWS_ExtSwitch_State",
        "PWS_RSDSelfTest_Result",
        "PWS_RSDSelfTest_State",
        "PWS_RSD_State",
        "PWS_assemblyId",
        "PWS_pcbaId",
        "PWS_reversePolarityStrings",
    ),
    "baggrSignalNames": ("BAGGR_ExpectedEnergyRemaining", "BAGGR_ExpectedFullPackEnergy", "BAGGR_OperationType"),
}


@dataclass(frozen=True)
class SignedQuery:
    text: str
    signature: bytes
    variables: str = "{}"
    signed: bytes = b""  # the signed SignedQuery message itself, where the capture ships it (V2026_06)


def status_query() -> SignedQuery | None:
    """pypowerwall's pre-signed DeviceControllerQuery (data it ships, not its code), or None without it."""
    return _query("V2024_06", "device_controller_basic")


def components_queries() -> list[SignedQuery]:
    """A Powerwall 3's own components, in both of pypowerwall's wordings: its ComponentsQuery capture (asking
    for its extra signals too, as pypowerwall does) and the V2026_06 PW3Query; empty without pypowerwall."""
    found = []
    components = _query("V2024_06", "components")
    if components is not None:
        try:
            variables = json.loads(components.variables)
            for key, names in COMPONENTS_EXTRA_SIGNALS.items():
                current = list(variables.get(key) or [])
                variables[key] = current + [n for n in names if n not in current]
        except (ValueError, AttributeError, TypeError):
            variables = None
        if isinstance(variables, dict):
            found.append(
                SignedQuery(components.text, components.signature, json.dumps(variables, separators=(",", ":")))
            )
    pw3 = _query("V2026_06", "PW3Query")
    if pw3 is not None and pw3.signed:
        found.append(pw3)
    return found


def _query(version: str, key: str) -> SignedQuery | None:
    spec = importlib.util.find_spec("pypowerwall")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "tedapi" / "queries" / f"{version}.json"
    try:
        entry = json.loads(path.read_text("utf-8"))[key]
        return SignedQuery(
            str(entry["text"]),
            bytes.fromhex(entry["code"]),
            str(entry.get("b_value") or "{}"),
            bytes.fromhex(str(entry.get("signed_bytes") or "")),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
