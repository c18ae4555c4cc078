import asyncio

import pytest
from aiopowerwall import PowerwallClient
from aiopowerwall.exceptions import PowerwallFaultError, PowerwallNotSupportedError


@pytest.mark.teg_emulator(firmware="25.10.1", gw_password="ABCDEFGHIJ")
def test_my_client_survives_a_busy_gateway_and_firmware_without_battery_dispatch(teg_emulator):
    pem = teg_emulator.verified_key()

    async def dispatch():
        async with PowerwallClient(
            host=teg_emulator.host, gateway_password="ABCDEFGHIJ", rsa_private_key_pem=pem
        ) as pw:
            await pw.dispatch_battery_power(-2000, 60)

    teg_emulator.fault("/tedapi/v1r", "v1r_fault", message_fault="BUSY", count=1)
    with pytest.raises(PowerwallFaultError) as busy:
        asyncio.run(dispatch())
    assert busy.value.fault == "MESSAGEFAULT_ERROR_BUSY"

    teg_emulator.fault("/tedapi/v1r", "v1r_unimplemented", command="dispatch_battery_power", count=1)
    with pytest.raises(PowerwallNotSupportedError):
        asyncio.run(dispatch())
    asyncio.run(dispatch())  # both rules used up: the gateway takes it
    assert teg_emulator.state()["site_controls"]["battery_setpoint"]["power_w"] == -2000
