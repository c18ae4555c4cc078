"""A Powerwall 3 (firmware 25.10.1) read by aiopowerwall over TEDAPI v1r, with a key the gateway has verified."""

import asyncio

from aiopowerwall import PowerwallClient, battery_level, current_power

import emulator

with emulator.running(firmware="25.10.1", gw_password="ABCDEFGHIJ") as gw:  # serve --gw-password ABCDEFGHIJ
    pem = gw.verified_key()  # an RSA-4096 private key PEM, verified on this gateway (serve: --authorized-key FILE)

    async def main() -> None:
        async with PowerwallClient(host=gw.host, gateway_password="ABCDEFGHIJ", rsa_private_key_pem=pem) as pw:
            await pw.connect()  # POST /api/login/Basic, then GET /tedapi/din with the bearer token
            status = await pw.get_status()  # a signed GraphQL query over POST /tedapi/v1r
            print(battery_level(status), current_power(status), (await pw.get_config())["site_info"])

    asyncio.run(main())
