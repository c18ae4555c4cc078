import pypowerwall
import pytest


@pytest.mark.teg_emulator(firmware="21.44.1", speed=0)
def test_dashboard_survives_the_night_the_gateway_updates(teg_emulator, tmp_path):
    pw = pypowerwall.Powerwall(
        teg_emulator.host, password=teg_emulator.password, cachefile=str(tmp_path / ".powerwall"), pwcacheexpire=0
    )
    assert pw.vitals()  # 21.44.1 serves /api/devices/vitals

    teg_emulator.update_firmware("24.4.0", reboot_s=120)  # check, download, install, reboot: back as 24.4.0

    assert pw.vitals() is None  # 23.44 and later answer 404: pypowerwall notices and stops asking
    assert pw.level() == pytest.approx(teg_emulator.state()["soe_pct"])  # it logged in again and reads on
    assert pw.version().startswith("24.4.0")
    vitals = teg_emulator.requests(path="/api/devices/vitals", status=404)
    assert len(vitals) == 1  # no retry storm against the missing endpoint
