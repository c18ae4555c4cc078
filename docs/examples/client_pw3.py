"""A Powerwall 3 (firmware 25.10.1) read by pypowerwall in full TEDAPI mode: no customer password."""

import pypowerwall

import emulator

with emulator.running(firmware="25.10.1", gw_password="ABCDEFGHIJ") as gw:  # serve --gw-password ABCDEFGHIJ
    pw = pypowerwall.Powerwall(gw.host, password="", gw_pwd="ABCDEFGHIJ")
    print(pw.level(), pw.power(), pw.grid_status(), pw.strings(), pw.temps(), pw.battery_blocks(), pw.alerts())
    assert pw.tedapi_mode == "full"
