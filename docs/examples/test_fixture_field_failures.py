"""Does my integration back off from a 429 and log in again when the gateway ends its session?"""

import asyncio

import pytest
from tesla_powerwall import AccessDeniedError, ApiError, Powerwall


@pytest.mark.teg_emulator(firmware="24.4.0", paused=True, rate_limit="5/1m", session_lifetime="24h")
def test_my_integration_survives_the_field(teg_emulator):
    async def day() -> None:
        async with Powerwall(teg_emulator.host) as pw:
            await pw.login(teg_emulator.password)
            for _ in range(5):
                await pw.get_charge()
            with pytest.raises(ApiError, match="Api Limit reached for this endpoint"):
                await pw.get_charge()  # a sixth poll within the minute
            teg_emulator.advance(600)  # the 10-minute cool-down, in a moment
            assert await pw.get_charge() > 0  # answered again
            teg_emulator.advance(86_400)  # a day later the session has expired
            with pytest.raises(AccessDeniedError):
                await pw.get_charge()
            await pw.login(teg_emulator.password)  # what Home Assistant does on AccessDeniedError
            assert await pw.get_charge() > 0

    asyncio.run(day())
