"""tesla-powerwall (Home Assistant's library), unmodified, against firmware 24.4.0."""

import asyncio

from tesla_powerwall import GridStatus, IslandMode, Powerwall

import emulator


async def main(host: str) -> None:
    async with Powerwall(host) as pw:
        await pw.login("s3cret")
        print(await pw.get_charge(), await pw.get_grid_status())
        await pw.set_island_mode(IslandMode.OFFGRID)
        assert await pw.get_grid_status() in (GridStatus.TRANSITION_TO_ISLAND, GridStatus.ISLANDED)


with emulator.running(firmware="24.4.0", password="s3cret") as gw:
    asyncio.run(main(gw.host))
