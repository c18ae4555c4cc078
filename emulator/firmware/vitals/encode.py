"""Vital devices -> the DevicesWithVitals protobuf bytes /api/devices/vitals answers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from emulator.firmware.vitals import vitals_pb2
from emulator.firmware.vitals.devices import Value, VitalDevice

pb: Any = vitals_pb2  # protoc's classes are built at import time and protobuf ships no type stubs


def encode(devices: Iterable[VitalDevice], t: float, first_seen: float) -> bytes:
    """Serialise devices as the gateway does; t and first_seen are POSIX seconds."""
    message = pb.DevicesWithVitals()
    for device in devices:
        entry = message.devices.add()
        _describe(entry.device.device, device, t, first_seen)
        for name, value in device.vitals:
            _set_vital(entry.vitals.add(), name, value)
        entry.alerts.extend(device.alerts)
    return bytes(message.SerializeToString())


def _describe(target: Any, device: VitalDevice, t: float, first_seen: float) -> None:
    target.din.value = device.din
    target.partNumber.value = device.part
    target.serialNumber.value = device.serial
    target.manufacturer.value = device.manufacturer
    target.componentParentDin.value = device.parent
    target.firmwareVersion.value = device.firmware
    target.firstCommunicationTime.seconds = int(first_seen)
    target.lastCommunicationTime.seconds = int(t)
    attributes = target.deviceAttributes
    if device.ecu_type is not None:
        attributes.teslaEnergyEcuAttributes.ecuType = device.ecu_type
    elif device.nameplate_w is not None:
        attributes.pvInverterAttributes.nameplateRealPowerW = device.nameplate_w
    elif device.meter_location:
        attributes.meterAttributes.meterLocation.extend(device.meter_location)


def _set_vital(vital: Any, name: str, value: Value) -> None:
    vital.name = name
    if isinstance(value, bool):  # before the numbers: bool is an int in Python
        vital.boolValue = value
    elif isinstance(value, str):
        vital.stringValue = value
    else:
        vital.floatValue = float(value) + 0.0  # a zero carries no sign on the wire (-0.0 + 0.0 is 0.0)
