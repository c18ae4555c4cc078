"""GET /api/devices/vitals (firmware 20.49-23.36): the site's devices as a protobuf DevicesWithVitals.

``devices`` says what the gateway reports, from the same snapshot as every
JSON endpoint; ``encode`` writes it in the wire format of ``vitals.proto``
(compiled into the committed ``vitals_pb2``; scripts/regen_vitals_proto.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator.firmware.vitals.devices import VitalDevice, vital_devices
from emulator.firmware.vitals.encode import encode

if TYPE_CHECKING:
    from emulator.device.gateway import Gateway, Snapshot

MEDIA_TYPE = "application/octet-stream"


def render_vitals(gw: Gateway, snap: Snapshot) -> bytes:
    """The body of /api/devices/vitals at one snapshot."""
    return encode(vital_devices(gw, snap), snap.t, snap.started_at)


__all__ = ["MEDIA_TYPE", "VitalDevice", "render_vitals", "vital_devices"]
