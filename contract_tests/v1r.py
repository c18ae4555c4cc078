"""TEDAPI v1r as the suite speaks it: signed requests (emulator.contract.v1r) and answers read field by field.

A request is the Envelope the Wi-Fi door carries (contract_tests.tedapi), bare, signed with the owner's
registered key for the gateway's DIN. An answer is judged only by what the clients read of it
(../shared/research/tedapi-v1r.md section 5): HTTP 200, ``signed_message_status.message_fault``
(field 12.1) and the envelope in field 10, never empty on success.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contract_tests import tedapi
from contract_tests.target import Target
from emulator.contract import v1r
from emulator.contract.v1r import SigningKey


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    fault: int  # 0: none
    envelope: bytes  # field 10, b"" when absent
    problem: str = ""  # why the body could not be read as a RoutableMessage

    def describe(self) -> str:
        if self.status != 200:
            return f"HTTP {self.status}"
        if self.problem:
            return f"a body that is no RoutableMessage ({self.problem})"
        if self.fault:
            return f"fault {v1r.fault_name(self.fault)} ({self.fault})"
        if v1r.NOT_VERIFIED.encode() in self.envelope.lower():
            return "'client authorization not verified'"
        return f"an answer ({len(self.envelope)}-byte envelope)" if self.envelope else "an empty answer"

    @property
    def not_verified(self) -> bool:
        """What a gateway answers a key it knows but that is not verified: the phrase both clients look for."""
        return self.status == 200 and not self.fault and v1r.NOT_VERIFIED.encode() in self.envelope.lower()


def post(target: Target, body: bytes) -> Answer:
    """POST /tedapi/v1r with no HTTP credentials (the signature is the credential), read as clients read it."""
    response = target.client.request(
        "POST", v1r.PATH, headers={"content-type": "application/octet-stream"}, content=body
    )
    kind = response.headers.get("content-type", "")
    if response.status_code != 200:
        return Answer(response.status_code, kind, 0, b"")
    try:
        found = tedapi.fields(response.content)
        status = found.get(v1r.STATUS, [b""])[-1]
        faults = tedapi.fields(status).get(v1r.MESSAGE_FAULT, [0]) if isinstance(status, bytes) else [0]
        payload = found.get(v1r.PAYLOAD, [b""])[-1]
    except tedapi.WireError as exc:
        return Answer(200, kind, 0, b"", str(exc))
    fault = faults[-1] if isinstance(faults[-1], int) else 0
    return Answer(200, kind, fault, payload if isinstance(payload, bytes) else b"")


def request(
    key: SigningKey,
    din: str,
    body: tuple[int, bytes],
    *,
    command: bool = False,
    to: str | None = None,
    **changes: Any,
) -> bytes:
    """``body`` (a field number and its bytes) in an envelope to ``to`` (default ``din``), signed by ``key``
    for the gateway ``din``; ``changes`` go to :func:`emulator.contract.v1r.signed_message`."""
    envelope = tedapi.envelope(to or din, *body, command=command)
    return v1r.signed_message(key, din, envelope, **changes)


def answered(target: Target, body: bytes, what: str) -> bytes:
    """The envelope a gateway answers a good request with; the assertion says what came instead."""
    answer = post(target, body)
    assert answer.status == 200, f"POST /tedapi/v1r ({what}) answered {answer.describe()}"
    kind = answer.content_type
    assert kind.startswith("application/octet-stream"), f"POST /tedapi/v1r ({what}) answered {kind!r}, not protobuf"
    assert not answer.problem and not answer.fault and not answer.not_verified and answer.envelope, (
        f"a signed request from a verified key ({what}) was answered {answer.describe()}"
    )
    return answer.envelope


def refused_with(target: Target, body: bytes, faults: set[str], what: str) -> None:
    """Assert the gateway refuses ``body`` with one of ``faults`` (MessageFault names), at HTTP 200."""
    answer = post(target, body)
    wanted = " or ".join(f"{name} ({v1r.FAULT[name]})" for name in sorted(faults))
    assert answer.status == 200 and v1r.fault_name(answer.fault) in faults, (
        f"{what} was answered {answer.describe()}, not fault {wanted}"
    )


def command(target: Target, key: SigningKey, din: str, body: tuple[int, bytes], answer: int, what: str) -> bytes:
    """Send a command (``body``: its payload and bytes) as clients send commands, and return its answer member
    (``answer``, of the same payload): what both clients require; a refusal or another answer fails here."""
    envelope = answered(target, request(key, din, body, command=True), what)
    refused = tedapi.command_error(envelope)
    assert refused is None, f"{what} was refused: common.error_response code {refused[0]} {refused[1]!r}"
    found = tedapi.member(envelope, body[0], answer)
    assert found is not None, f"{what} was answered without its acknowledgement (envelope field {body[0]}.{answer})"
    return found
