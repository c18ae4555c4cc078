"""/api/devices/vitals on 21.44.1: protobuf built from the model, agreeing with the JSON endpoints;
404 from 23.44 (24.4.0); and the committed protoc output matches vitals.proto."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from typing import Any

import pytest
from starlette.testclient import TestClient

from emulator import create_app
from emulator.device.factory import EmulatorOptions, build_gateway
from emulator.firmware.vitals import vitals_pb2
from tests.support.paths import ROOT

VITALS_PB: Any = vitals_pb2  # protoc's classes are made at import time: no types to check

NOON = datetime(2026, 6, 21, 19, 0, tzinfo=UTC)  # midday in Los Angeles: the PV strings produce


def regen_module():
    spec = importlib.util.spec_from_file_location("regen_vitals_proto", ROOT / "scripts" / "regen_vitals_proto.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_vitals_pb2_is_what_vitals_proto_compiles_to(tmp_path):
    pytest.importorskip("grpc_tools", reason="grpcio-tools (the test extra) compiles the proto")
    generated = regen_module().generate(tmp_path)
    committed = ROOT / "emulator" / "firmware" / "vitals" / "vitals_pb2.py"
    assert generated.read_bytes() == committed.read_bytes(), "run: python scripts/regen_vitals_proto.py"


def client_for(firmware: str, **options) -> tuple[TestClient, dict[str, str]]:
    gw = build_gateway(EmulatorOptions(firmware=firmware, paused=True, **options))
    client = TestClient(create_app(gw))
    login = client.post("/api/login/Basic", json={"username": "customer", "password": gw.password, "email": ""})
    client.cookies.clear()
    return client, {"Authorization": "Bearer " + login.json()["token"]}


def decode(response) -> dict[str, dict]:
    """din -> {"parent", "part", "ecu", "vitals": {name: value}, "alerts": [...]}"""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/octet-stream"
    message = VITALS_PB.DevicesWithVitals.FromString(response.content)
    devices = {}
    for entry in message.devices:
        device = entry.device.device
        vitals = {v.name: getattr(v, v.WhichOneof("value")) for v in entry.vitals}
        devices[device.din.value] = {
            "parent": device.componentParentDin.value,
            "part": device.partNumber.value,
            "ecu": device.deviceAttributes.teslaEnergyEcuAttributes.ecuType,
            "vitals": vitals,
            "alerts": list(entry.alerts),
        }
    return devices


def of_kind(devices: dict[str, dict], kind: str) -> list[dict]:
    return [d for din, d in devices.items() if din.startswith(kind + "--")]


@pytest.fixture
def noon():
    return client_for("21.44.1", powerwalls=2, start=NOON, soe_pct=55.0)


def test_vitals_list_every_device_and_agree_with_the_json_endpoints(noon):
    client, auth = noon
    state = client.get("/_emulator/state").json()
    devices = decode(client.get("/api/devices/vitals", headers=auth))
    status = client.get("/api/system_status", headers=auth).json()
    aggregates = client.get("/api/meters/aggregates", headers=auth).json()

    gateway_din = "STSTSM--" + client.get("/api/status").json()["din"]
    assert devices[gateway_din]["ecu"] == 207 and devices[gateway_din]["parent"] == ""
    assert len(of_kind(devices, "TESYNC")) == 1
    thcs, pods, pinvs = of_kind(devices, "TETHC"), of_kind(devices, "TEPOD"), of_kind(devices, "TEPINV")
    assert (len(thcs), len(pods), len(pinvs)) == (2, 2, 2)
    serials = {b["PackageSerialNumber"] for b in status["battery_blocks"]}
    assert {din.split("--")[2] for din in devices if din.startswith("TETHC--")} == serials
    assert {d["ecu"] for d in pods} == {226} and {d["ecu"] for d in pinvs} == {253}
    assert all(d["parent"].startswith("TETHC--") for d in pods + pinvs)

    remaining = sum(d["vitals"]["POD_nom_energy_remaining"] for d in pods)
    assert remaining == pytest.approx(status["nominal_energy_remaining"], abs=1)
    full = sum(d["vitals"]["POD_nom_full_pack_energy"] for d in pods)
    assert full == pytest.approx(status["nominal_full_pack_energy"], abs=1)
    assert 1000 * sum(d["vitals"]["PINV_Pout"] for d in pinvs) == pytest.approx(state["power_w"]["battery"])
    sync = of_kind(devices, "TESYNC")[0]["vitals"]
    site_ct = sync["METER_X_CTA_InstRealPower"] + sync["METER_X_CTB_InstRealPower"]
    assert site_ct == pytest.approx(aggregates["site"]["instant_power"])
    assert sync["METER_Y_CTC_InstRealPower"] == pytest.approx(aggregates["solar"]["instant_power"])
    assert sync["ISLAND_GridConnected"] is True

    (pvac,) = of_kind(devices, "PVAC")
    (pvs,) = of_kind(devices, "PVS")
    assert state["power_w"]["solar"] > 1000
    assert pvac["vitals"]["PVAC_Pout"] == pytest.approx(state["power_w"]["solar"])
    strings = [pvac["vitals"][f"PVAC_PVMeasuredPower_{s}"] for s in "ABCD"]
    assert sum(strings) == pytest.approx(state["power_w"]["solar"])
    pv_json = client.get("/api/solar_powerwall", headers=auth).json()["pvac_status"]["string_vitals"]
    assert strings == pytest.approx([s["measured_power"] for s in pv_json])
    assert [pvs["vitals"][f"PVS_String{s}_Connected"] for s in "ABCD"] == [s["connected"] for s in pv_json]
    assert "PVS_a020_MciStringD" in pvs["alerts"]  # string D is not wired
    assert pvs["parent"].startswith("PVAC--") and pvac["parent"].startswith("TETHC--")
    assert devices[gateway_din]["alerts"] == ["SystemConnectedToGrid"]


def test_an_outage_shows_in_the_vitals_alerts_and_clears_when_the_grid_returns(noon):
    client, auth = noon
    client.post("/_emulator/grid", json={"connected": False})
    client.post("/_emulator/clock", json={"advance_s": 5})
    devices = decode(client.get("/api/devices/vitals", headers=auth))
    (gateway,) = of_kind(devices, "STSTSM")
    (sync,) = of_kind(devices, "TESYNC")
    assert "UnscheduledIslandContactorOpen" in gateway["alerts"]
    assert "SystemConnectedToGrid" not in gateway["alerts"]
    assert "SYNC_a038_DoOpenArguments" in sync["alerts"]
    assert sync["vitals"]["ISLAND_GridConnected"] is False
    assert sync["vitals"]["ISLAND_VL1N_Main"] == 0
    assert {d["vitals"]["PINV_State"] for d in of_kind(devices, "TEPINV")} == {"PINV_GridForming"}
    assert all(d["alerts"] for d in of_kind(devices, "TEPINV"))  # the grid fault /api/system_status lists

    client.post("/_emulator/grid", json={"connected": True})
    client.post("/_emulator/clock", json={"advance_s": 30})
    devices = decode(client.get("/api/devices/vitals", headers=auth))
    assert of_kind(devices, "STSTSM")[0]["alerts"] == ["SystemConnectedToGrid"]
    assert of_kind(devices, "TESYNC")[0]["alerts"] == []


def test_an_island_asked_for_is_a_scheduled_contactor_opening():
    client, auth = client_for("21.44.1")
    client.post("/api/v2/islanding/mode", headers=auth, json={"island_mode": "intentional_reconnect_failsafe"})
    client.post("/_emulator/clock", json={"advance_s": 5})
    (gateway,) = of_kind(decode(client.get("/api/devices/vitals", headers=auth)), "STSTSM")
    assert "ScheduledIslandContactorOpen" in gateway["alerts"]


def test_a_full_pack_ends_charge_and_temperatures_follow_the_pack_power(noon):
    client, auth = noon
    idle_night = client_for("21.44.1", start=datetime(2026, 6, 21, 11, 0, tzinfo=UTC), soe_pct=20.0)
    night_devices = decode(idle_night[0].get("/api/devices/vitals", headers=idle_night[1]))
    client.patch("/_emulator/state", json={"soe_pct": 100.0})
    devices = decode(client.get("/api/devices/vitals", headers=auth))
    pods = of_kind(devices, "TEPOD")
    assert all("POD_w110_SW_EOC" in d["alerts"] and d["vitals"]["POD_ChargeComplete"] for d in pods)
    assert "RealPowerAvailableLimited" in of_kind(devices, "STSTSM")[0]["alerts"]
    noon_temp = of_kind(devices, "TETHC")[0]["vitals"]["THC_AmbientTemp"]
    night_temp = of_kind(night_devices, "TETHC")[0]["vitals"]["THC_AmbientTemp"]
    assert noon_temp > night_temp  # a summer afternoon is warmer than 4 am


def test_vitals_need_a_session_on_21_44_1():
    client, _ = client_for("21.44.1")
    response = client.get("/api/devices/vitals")
    assert response.status_code == 403
    assert response.json()["error"] == "Unable to GET to resource"


def test_vitals_are_gone_on_24_4_0_and_absent_on_1_15_0():
    client, auth = client_for("24.4.0")
    response = client.get("/api/devices/vitals", headers=auth)
    assert response.status_code == 404 and response.json()["code"] == 404  # pypowerwall then turns vitals off
    legacy = TestClient(create_app(build_gateway(EmulatorOptions(firmware="1.15.0", paused=True))))
    assert legacy.get("/api/devices/vitals").status_code == 404


def test_24_4_0_writes_ip_networks_as_go_ipnets_on_every_entry_and_21_44_1_keeps_the_21x_shape():
    modern, auth = client_for("24.4.0")
    networks = modern.get("/api/networks", headers=auth).json()
    assert {n["interface"] for n in networks} >= {"EthType", "WifiType"}
    for network in networks:
        assert network["iface_network_info"]["ip_networks"] == [{"IP": "", "Mask": "////AA=="}]
    old, auth = client_for("21.44.1")
    networks = old.get("/api/networks", headers=auth).json()
    ethernet = next(n for n in networks if n["interface"] == "EthType")
    assert "iface_network_info" not in ethernet
    wifi = next(n for n in networks if n["interface"] == "WifiType")
    assert wifi["iface_network_info"]["ip_networks"] == [{"ip": "192.168.1.50", "mask": "255.255.255.0"}]


def test_21_44_1_status_is_the_21x_shape():
    client, _ = client_for("21.44.1")
    status = client.get("/api/status").json()
    assert status["version"] == "21.44.1 c58c2df3"
    assert status["leader"] == "" and status["followers"] is None
    assert "teg_type" not in status and "can_reboot" not in status


@pytest.mark.parametrize(
    ("status", "content_type", "content"),
    [
        (200, "application/json", b'{"devices":[]}'),  # vitals as JSON: what no 21.x gateway sends
        (200, "application/octet-stream", b""),  # an empty body
        (404, "application/json", b'{"code":404,"error":"Not Found","message":"gone"}'),  # 23.44's answer on 21.x
    ],
)
def test_the_contract_suite_refuses_vitals_that_are_not_a_21x_protobuf(status, content_type, content):
    import httpx

    from contract_tests.spec import response_problems
    from emulator.contract import operation_for

    op = operation_for("GET", "/api/devices/vitals")
    assert op is not None
    request = httpx.Request("GET", "https://gateway/api/devices/vitals")
    response = httpx.Response(status, headers={"content-type": content_type}, content=content, request=request)
    assert response_problems(op, response)
    good = httpx.Response(200, headers={"content-type": "application/octet-stream"}, content=b"\n\x00", request=request)
    assert response_problems(op, good) == []
