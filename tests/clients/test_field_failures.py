"""Real clients, unmodified, meet what breaks them in the field: a session that expires after a day, and a
gateway that answers 429 to a client polling too fast -- through the fixture, running() and the control API."""

from __future__ import annotations

import asyncio

import pytest

import emulator

pypowerwall = pytest.importorskip("pypowerwall")
tesla_powerwall = pytest.importorskip("tesla_powerwall")
from tesla_powerwall import AccessDeniedError, ApiError, Powerwall  # noqa: E402


def test_pypowerwall_logs_in_again_when_its_session_expires_a_day_later(tmp_path):
    with emulator.running(firmware="24.4.0", paused=True) as gw:
        pw = pypowerwall.Powerwall(
            gw.host, password=gw.password, email="nobody@nowhere.com", cachefile=str(tmp_path / ".pw"), pwcacheexpire=0
        )
        assert pw.level() == pytest.approx(gw.state()["soe_pct"])
        gw.advance(86_400)  # a day on the gateway's clock, in a moment
        logins = len(gw.requests(method="POST", path="/api/login/Basic"))
        assert pw.level() == pytest.approx(gw.state()["soe_pct"])  # answered, after a second login
        assert [e["status"] for e in gw.requests(path="/api/system_status/soe")][-3:] == [200, 401, 200]
        gw.assert_requested("POST", "/api/login/Basic", count=logins + 1)


@pytest.mark.teg_emulator(firmware="24.4.0", paused=True, session_lifetime="1h")
def test_tesla_powerwall_is_refused_as_home_assistant_sees_it_and_a_new_login_works(teg_emulator):
    async def story() -> None:
        async with Powerwall(teg_emulator.host) as pw:
            await pw.login(teg_emulator.password)
            assert await pw.get_charge() == pytest.approx(teg_emulator.state()["soe_pct"])
            teg_emulator.advance(3600)
            with pytest.raises(AccessDeniedError):  # what Home Assistant answers with a new login
                await pw.get_charge()
            await pw.login(teg_emulator.password)
            assert await pw.get_charge() == pytest.approx(teg_emulator.state()["soe_pct"])

    asyncio.run(story())


@pytest.mark.teg_emulator(firmware="24.4.0", paused=True, rate_limit="5/1m", rate_limit_cooldown="10m")
def test_tesla_powerwall_polling_too_fast_gets_the_429_and_is_answered_after_the_cool_down(teg_emulator):
    async def story() -> None:
        async with Powerwall(teg_emulator.host) as pw:
            await pw.login(teg_emulator.password)
            for _ in range(5):
                await pw.get_charge()
            with pytest.raises(ApiError, match=r"429.*Api Limit reached for this endpoint"):
                await pw.get_charge()
            assert await pw.get_meters()  # another endpoint: counted apart
            limited = teg_emulator.rate_limits()["requests"]["limited"]
            assert [(e["endpoint"], e["for_s"]) for e in limited] == [("/api/system_status/soe", 600)]
            teg_emulator.advance(600)
            assert await pw.get_charge() == pytest.approx(teg_emulator.state()["soe_pct"])

    asyncio.run(story())


def test_a_limit_switched_on_through_the_control_api_reaches_pypowerwall(tmp_path):
    """pypowerwall answers None for a 429 and then stops asking for five minutes of its own (real) time."""
    with emulator.running(firmware="24.4.0", paused=True) as gw:
        pw = pypowerwall.Powerwall(
            gw.host, password=gw.password, email="nobody@nowhere.com", cachefile=str(tmp_path / ".pw"), pwcacheexpire=0
        )
        gw.set_rate_limits(requests={"enabled": True, "requests": 2, "window_s": 60})
        readings = [pw.level() for _ in range(4)]
        assert readings == [pytest.approx(gw.state()["soe_pct"]), None, None, None]
        statuses = [e["status"] for e in gw.requests(path="/api/system_status/soe")]
        assert statuses[-2:] == [200, 429] and len(statuses) <= 3  # backed off: nothing asked after the 429
