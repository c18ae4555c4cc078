import pypowerwall
import pytest


@pytest.mark.teg_emulator(firmware="25.10.1", powerwalls=2)
def test_my_pw3_client(teg_emulator):
    pw = pypowerwall.Powerwall(teg_emulator.host, password="", gw_pwd=teg_emulator.gw_password, pwcacheexpire=0)
    assert pw.tedapi_mode == "full" and pw.grid_status() == "UP"
    assert len(pw.battery_blocks()) == 2  # the Powerwall 3 and its expansion pack
