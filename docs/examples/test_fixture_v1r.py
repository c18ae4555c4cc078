import asyncio

import pytest
from aiopowerwall import PowerwallClient
from aiopowerwall.exceptions import PowerwallAuthenticationError

from emulator.testing.keys import private_key_pem


@pytest.mark.teg_emulator(firmware="25.10.1", gw_password="ABCDEFGHIJ")
def test_my_client_waits_for_the_owner_to_verify_its_key(teg_emulator):
    pem = private_key_pem()  # RSA-4096, made once per test process

    async def read_config():
        async with PowerwallClient(
            host=teg_emulator.host, gateway_password="ABCDEFGHIJ", rsa_private_key_pem=pem
        ) as pw:
            return await pw.get_config()

    teg_emulator.add_authorized_client(pem)  # registered through the cloud: pending
    with pytest.raises(PowerwallAuthenticationError, match="not verified"):
        asyncio.run(read_config())
    teg_emulator.presence_proof()  # the owner toggles the Powerwall 3's On/Off switch within ten minutes
    assert asyncio.run(read_config())["battery_blocks"]
