"""A Powerwall 3 (firmware 25.10.1) read by pypowerwall in v1r mode: its key is a file, as `register` writes it."""

from pathlib import Path

import pypowerwall

import emulator

with emulator.running(firmware="25.10.1", gw_password="ABCDEFGHIJ") as gw:
    key_file = Path("tedapi_rsa_private.pem")
    key_file.write_bytes(gw.verified_key())  # or: serve --authorized-key tedapi_rsa_private.pem
    pw = pypowerwall.Powerwall(host=gw.host, gw_pwd="ABCDEFGHIJ", rsa_key_path=str(key_file), failover=False)
    print(pw.level(), pw.power(), pw.grid_status(), pw.get_reserve())
    assert pw.grid_status() == "UP"
