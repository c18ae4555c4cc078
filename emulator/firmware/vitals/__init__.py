"""GET /api/devices/vitals (firmware 20.49-23.36): the site's devices as a protobuf DevicesWithVitals.

``devices`` says what the gateway reports, from the same snapshot as every
JSON endpoint; ``encode`` writes it in the wire format of ``vitals.proto``
(compiled into the committed ``vitals_pb2``; scripts/regen_vitals_proto.py).
"""

from __future__ import annotations

from emulator.device.snapshot import Snapshot
from emulator.firmware.vitals.devices import Readings, VitalDevice, vital_devices
from emulator.firmware.vitals.encode import encode

MEDIA_TYPE = "application/octet-stream"


def render_vitals(snap: Snapshot, readings: Readings, powerwall_part: str) -> bytes:
    """The body of /api/devices/vitals at one snapshot, given the meters' readings of that snapshot."""
    return encode(vital_devices(snap, readings, powerwall_part), snap.t, snap.started_at)


__all__ = ["MEDIA_TYPE", "Readings", "VitalDevice", "render_vitals", "vital_devices"]
