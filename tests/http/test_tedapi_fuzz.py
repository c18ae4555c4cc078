"""Any bytes POSTed to the TEDAPI get a documented answer (200 or 4xx), never a 500, and change nothing."""

from __future__ import annotations

import warnings

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypowerwall.tedapi.protobuf.V2024_06 import tedapi_pb2 as legacy
from starlette.testclient import TestClient

from emulator import create_app
from emulator.device.factory import EmulatorOptions, build_gateway

AUTH = ("Tesla_Energy_Device", "ABCDEFGHIJ")
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
CLIENT = TestClient(
    create_app(build_gateway(EmulatorOptions(firmware="25.10.1", gw_password="ABCDEFGHIJ", paused=True)))
)
DOCUMENTED = {200, 400, 403, 404, 413}


def _envelopes() -> st.SearchStrategy[bytes]:
    """Well-formed frames with random parts: the decoder's harder cases."""

    def build(din: str, local: int, file: str, text: str, code: bytes, variables: str, which: int) -> bytes:
        pb = legacy.Message()
        pb.message.deliveryChannel = 1
        pb.message.sender.local = local
        pb.message.recipient.din = din
        if which == 0:
            pb.message.config.send.num = 1
            pb.message.config.send.file = file
        elif which == 1:
            pb.message.payload.send.num = 2
            pb.message.payload.send.payload.value = 1
            pb.message.payload.send.payload.text = text
            pb.message.payload.send.code = code
            pb.message.payload.send.b.value = variables
        else:
            pb.message.firmware.request = ""
        pb.tail.value = 1
        return pb.SerializeToString()

    return st.builds(
        build,
        st.sampled_from(["", "1232100-00-E--T123456789", "bogus"]),
        st.integers(0, 3),
        st.sampled_from(["config.json", "other.json", ""]),
        st.sampled_from(["query Q{control{systemStatus{nominalFullPackEnergyWh}}}", "{", "mutation{x}", ""]),
        st.binary(max_size=8),
        st.sampled_from(["", "{}", "[1]", "{", '{"msaComp":{"types":["TETHC"]}}']),
        st.integers(0, 2),
    )


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.one_of(st.binary(max_size=300), _envelopes()))
def test_any_body_gets_a_documented_answer_and_changes_nothing(body: bytes) -> None:
    before = CLIENT.get("/_emulator/state").json()
    reply = CLIENT.post("/tedapi/v1", content=body, auth=AUTH)
    assert reply.status_code in DOCUMENTED, reply.text
    if reply.status_code != 200:
        assert reply.json()["code"] == reply.status_code
    assert CLIENT.get("/_emulator/state").json() == before
