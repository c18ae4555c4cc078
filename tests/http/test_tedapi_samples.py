"""Each new sample's TEDAPI answer, over many samples at 60x: the fast path's is the route's, on both doors, and
it is the query's selection from the whole document at that sample.

A new meter sample comes every ~4 ms of real time at 60x, and the first read of each is answered anew; to make
that cheap, only the device controller's top-level sections the query reads are built
(:func:`emulator.tedapi.query.top_fields`). Nothing a client sees may change for it: here each answer is
compared with the selection from the document with every section built, at the sample the gateway answered
from, for pypowerwall's status query and its Powerwall 3 components queries, across samples (the clock moved by
hand, ~4 ms and now and then half a minute), through the middleware's fast path (a declared length) and the
route (chunked), on the Wi-Fi door and the signed one.
"""

from __future__ import annotations

import json
import warnings

import pytest
from starlette.testclient import TestClient

from contract_tests import tedapi
from emulator import create_app
from emulator.contract.signed_query import SignedQuery, components_queries, status_query
from emulator.device.factory import EmulatorOptions, build_gateway
from emulator.numbers import json_text
from emulator.tedapi import query as graphql
from emulator.tedapi import teg_emulator_tedapi_pb2 as pb
from emulator.tedapi.commands import V1
from emulator.tedapi.commands.reads import document_for
from emulator.tedapi.dispatch import Call, site_of
from emulator.testing.keys import private_key_pem
from tests.support.app import FakeMonotonic, gateway_of
from tests.support.v1r_messages import answer, envelope_of, routable

warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
GW_PASSWORD = "ABCDEFGHIJ"
AUTH = ("Tesla_Energy_Device", GW_PASSWORD)
KEY = 0  # a key slot (made once per process)
SAMPLES = 40


def _queries() -> list[SignedQuery]:
    status = status_query()
    assert status is not None  # pypowerwall is a test dependency
    return [status, *components_queries()]


def _wifi_data(reply: bytes) -> str:
    frame = pb.Frame()
    frame.ParseFromString(reply)
    return frame.envelope.graphql.query_response.data


def _without_uuids(reply: bytes) -> bytes:
    message = answer(reply)
    message.uuid, message.request_uuid = b"", b""
    return message.SerializeToString()


def _expected(client: TestClient, query: SignedQuery) -> str:
    """The query's selection from the whole document (every section built) at the sample the gateway is at."""
    gateway = gateway_of(client)
    snap = gateway.snapshot()
    site = site_of(gateway, snap)
    document = document_for(Call(gateway, snap, site, site.din, V1))
    return json_text(graphql.answer(graphql.operation(query.text), document, json.loads(query.variables or "{}")))


@pytest.mark.parametrize(("firmware", "powerwalls"), [("25.10.1", 2), ("24.4.0", 2), ("24.4.0", 1)])
def test_every_samples_answer_is_the_whole_documents_selection_on_the_fast_path_and_the_route(
    firmware: str, powerwalls: int
) -> None:
    signed = firmware == "25.10.1"
    clock = FakeMonotonic()
    options = EmulatorOptions(
        firmware=firmware,
        gw_password=GW_PASSWORD,
        speed=60,
        powerwalls=powerwalls,
        authorized_keys=(private_key_pem(KEY),) if signed else (),
    )
    client = TestClient(create_app(build_gateway(options, monotonic=clock)), base_url="https://testserver")
    din = client.get("/tedapi/din", auth=AUTH).text
    queries = _queries() if signed else _queries()[:1]  # the components queries are a Powerwall 3's
    frames = [tedapi.frame(din, *tedapi.query_body(q)) for q in queries]
    envelopes = [routable(private_key_pem(KEY), din, tedapi.envelope(din, *tedapi.query_body(q))) for q in queries]
    seen = set()
    for sample in range(SAMPLES):
        clock.tick(31.0 if sample % 10 == 9 else 0.0042)
        for index, query in enumerate(queries):
            fast = client.post("/tedapi/v1", content=frames[index], auth=AUTH)
            routed = client.post("/tedapi/v1", content=iter([frames[index][:50], frames[index][50:]]), auth=AUTH)
            assert fast.status_code == routed.status_code == 200
            assert fast.content == routed.content
            expected = _expected(client, query)
            assert _wifi_data(fast.content) == expected
            seen.add(expected)
            if signed:
                headers = {"content-type": "application/octet-stream"}
                fast = client.post("/tedapi/v1r", content=envelopes[index], headers=headers)
                chunks = iter([envelopes[index][:100], envelopes[index][100:]])
                routed = client.post("/tedapi/v1r", content=chunks, headers=headers)
                assert fast.status_code == routed.status_code == 200
                assert _without_uuids(fast.content) == _without_uuids(routed.content)
                assert envelope_of(fast.content).graphql.query_response.data == expected
    assert len(seen) == SAMPLES * len(queries)  # every answer differs: each was worked out for its own sample
