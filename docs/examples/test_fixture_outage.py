import pypowerwall
import pytest


@pytest.mark.teg_emulator(firmware="24.4.0", powerwalls=2, soe=80, speed=0)
def test_dashboard_survives_an_outage(teg_emulator, tmp_path):
    pw = pypowerwall.Powerwall(
        teg_emulator.host, password=teg_emulator.password, cachefile=str(tmp_path / ".powerwall"), pwcacheexpire=0
    )
    assert pw.grid_status() == "UP"

    teg_emulator.set_load(2500)
    teg_emulator.set_grid(False)  # the utility goes down
    teg_emulator.advance(3600)  # an hour passes, the Powerwalls carry the house
    assert pw.grid_status() == "DOWN"
    assert pw.site() == 0 and pw.battery() == pytest.approx(2500 - pw.solar())
    assert pw.level() < 80

    teg_emulator.fault("/api/meters/aggregates", "status", preset="sitemaster_busy", count=1)
    assert pw.power()["site"] == 0  # pypowerwall shrugs off the 502

    logins = teg_emulator.requests(method="POST", path="/api/login/Basic")
    assert len(logins) == 1  # and it logged in only once
