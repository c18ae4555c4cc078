import asyncio

import pytest
from tesla_powerwall import GridState, Powerwall


async def batteries_and_grid(host: str) -> tuple[list, object]:
    async with Powerwall(host) as pw:
        await pw.login("s3cret")
        return await pw.get_batteries(), await pw.get_grid_status()


@pytest.mark.teg_emulator(firmware="24.4.0", password="s3cret", powerwalls=2)
def test_tesla_powerwall_meets_drifting_bodies(teg_emulator):
    # a failing battery reports an empty grid state: tesla-powerwall 0.5.3 reads it as disabled
    teg_emulator.fault("/api/system_status", "drift", drift="empty", pointer="/battery_blocks/*/pinv_grid_state")
    batteries, _ = asyncio.run(batteries_and_grid(teg_emulator.host))
    assert [b.grid_state for b in batteries] == [GridState.DISABLED, GridState.DISABLED]

    # ...but an empty grid_status is still fatal to it
    teg_emulator.fault("/api/system_status/grid_status", "drift", drift="empty", pointer="/grid_status")
    with pytest.raises(ValueError, match="'' is not a valid GridStatus"):
        asyncio.run(batteries_and_grid(teg_emulator.host))
