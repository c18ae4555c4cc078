"""Firmware 21.44.1: pypowerwall decodes /api/devices/vitals (protobuf), unmodified."""

import pypowerwall

import emulator

with emulator.running(firmware="21.44.1", password="s3cret") as gw:  # teg-emulator serve --firmware 21.44.1 ...
    pw = pypowerwall.Powerwall(gw.host, password="s3cret")
    print(pw.vitals(), pw.strings(), pw.temps(), pw.alerts())
    assert "SystemConnectedToGrid" in pw.alerts()
