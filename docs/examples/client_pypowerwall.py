"""pypowerwall (Powerwall-Dashboard's library), unmodified, against firmware 24.4.0."""

import pypowerwall

import emulator

with emulator.running(firmware="24.4.0", password="s3cret") as gw:  # or: teg-emulator serve --firmware 24.4.0
    pw = pypowerwall.Powerwall(gw.host, password="s3cret", email="me@example.com", pwcacheexpire=0)
    print(pw.level(), pw.power(), pw.grid_status(), pw.get_reserve())
    pw.set_reserve(30)
    assert pw.get_reserve(scale=False) == 30  # set_reserve writes the API scale; get_reserve shows the app's
