"""The TEDAPI's commands as a table: one handler per envelope member, shared by both doors.

The Wi-Fi door (POST /tedapi/v1, a Frame) and the signed LAN door (POST /tedapi/v1r, a RoutableMessage)
carry the same :class:`Envelope`; once a door has checked its own credentials it hands the envelope
here. A command is a function registered with :func:`command` under its payload and member, in
tesla-protocol's words (``("filestore", "read_file_request")``): adding one is writing one handler in
a module of :mod:`emulator.tedapi.commands`, which the doors import this table through. A handler fills
the reply's payload, or raises a :class:`GatewayError` (each door says it its own way: an HTTP error on
v1, ``common.error_response`` on v1r). A member nobody registered is :class:`Unimplemented`, and so is a
command that changes the gateway asked through the Wi-Fi door, which stays read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from emulator.device.gateway import Gateway
from emulator.device.snapshot import Snapshot
from emulator.firmware import profile_of
from emulator.tedapi import teg_emulator_tedapi_pb2 as pb
from emulator.tedapi.hardware import Site, describe

V1, V1R = "v1", "v1r"


@dataclass(frozen=True, slots=True)
class Call:
    """What a handler may know about the request besides its message: who asks whom, through which door."""

    gateway: Gateway
    snap: Snapshot  # the sample every read of this request comes from
    site: Site
    target: str  # the DIN that answers (v1: the recipient; v1r: the leader, for the whole site)
    door: str  # V1 or V1R
    signer: bytes | None = None  # v1r: the verified signer's public key (PKCS#1 DER)

    def refreshed(self) -> Call:
        """The same call seeing the gateway as it is now (after a command changed it)."""
        snap = self.gateway.snapshot()
        return replace(self, snap=snap, site=site_of(self.gateway, snap))


def site_of(gw: Gateway, snap: Snapshot) -> Site:
    """The devices a TEDAPI client sees, in the hardware layout the firmware's facts state."""
    return describe(snap, gw.facts.hardware, profile_of(gw).bodies)


Handler = Callable[[Call, Any, pb.Envelope], None]
H = TypeVar("H", bound=Handler)

_HANDLERS: dict[tuple[str, str], Handler] = {}
_WRITES: set[tuple[str, str]] = set()
_PER_SAMPLE: set[tuple[str, str]] = set()


class Unimplemented(Exception):
    """The envelope asks for a command no handler answers (or for nothing at all)."""

    def __init__(self, payload: str | None, member: str | None) -> None:
        self.payload, self.member = payload, member
        what = f"{payload}.{member}" if payload and member else payload or "nothing"
        super().__init__(f"{what} is not implemented")


def command(payload: str, member: str, *, writes: bool = False, per_sample: bool = False) -> Callable[[H], H]:
    """Register the decorated function as the handler of ``Envelope.<payload>.<member>``.

    ``writes``: the command changes the gateway, so only the signed door (v1r) may ask it.
    ``per_sample``: a read whose answer is a function of ``call.snap``, ``call.site``, ``call.target`` and the
    request only (no clock, no RNG, nothing read from ``call.gateway``), which the doors may therefore keep
    for the sample (:mod:`emulator.tedapi.answers`).
    """
    if writes and per_sample:
        raise ValueError(f"{payload}.{member}: a write's answer is never kept")
    members = pb.Envelope.DESCRIPTOR.fields_by_name[payload].message_type.fields_by_name  # KeyError: a typo
    if member not in members:
        raise ValueError(f"Envelope.{payload} has no member {member!r}")

    def register(handler: H) -> H:
        if (payload, member) in _HANDLERS:
            raise ValueError(f"{payload}.{member} has two handlers")
        _HANDLERS[(payload, member)] = handler
        if writes:
            _WRITES.add((payload, member))
        if per_sample:
            _PER_SAMPLE.add((payload, member))
        return handler

    return register


def kind(request: pb.Envelope) -> tuple[str | None, str | None]:
    """The payload and member ``request`` carries, by their names on the wire (None where there is none)."""
    payload = request.WhichOneof("payload")
    if payload is None:
        return None, None
    return payload, getattr(request, payload).WhichOneof("message")


def dispatch(call: Call, request: pb.Envelope, reply: pb.Envelope) -> None:
    """Answer ``request`` into ``reply`` with its command's handler; :class:`Unimplemented` when none."""
    payload, member = kind(request)
    if payload is None or member is None:
        raise Unimplemented(payload, member)
    handler = _HANDLERS.get((payload, member))
    if handler is None or (call.door == V1 and (payload, member) in _WRITES):
        raise Unimplemented(payload, member)
    handler(call, getattr(getattr(request, payload), member), reply)


def per_sample(request: pb.Envelope) -> bool:
    """Whether the answer to ``request`` may be kept for the sample: its command is registered ``per_sample``."""
    return kind(request) in _PER_SAMPLE


def registered() -> list[tuple[str, str]]:
    """Every (payload, member) a handler answers, for documentation and tests."""
    return sorted(_HANDLERS)


def writes() -> list[tuple[str, str]]:
    """Every (payload, member) that changes the gateway: what only the signed door takes."""
    return sorted(_WRITES)
