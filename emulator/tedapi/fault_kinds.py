"""The fault kinds of the signed door (POST /tedapi/v1r): refusals a gateway gives, on demand.

- ``v1r_fault`` (``message_fault``): a ``MessageFault`` by its name (``UNKNOWN_KEY_ID``, or
  ``MESSAGEFAULT_ERROR_UNKNOWN_KEY_ID`` as tesla-protocol spells it) or its number;
- ``v1r_not_verified``: the "client authorization not verified" answer a pending key gets;
- ``v1r_unimplemented`` (``command``): ``common.error_response`` code 12, as firmware without the command answers;
- ``v1r_stale_hash``: the next config.json write refused as if its hash were stale (ABORTED, nothing written).

They fire inside the door, not around it (``in_route``): once a request's signature has verified and its key
is verified, before its command runs. So a rule acts, and is counted, only on a request the gateway would
otherwise answer -- one it refuses on its own (an unknown key, a bad signature) keeps that refusal and leaves
the rule as it was -- and an injected refusal changes nothing, like a real one. ``command`` (the dispatcher's
name of a command: :func:`command_names`) picks the requests a rule acts on; the first
two kinds take it as an option. HTTP statuses on /tedapi/v1r (401, 403, 429, 503) are the ``status`` kind's.

Registered when the TEDAPI's routes are imported (:mod:`emulator.tedapi.routes`), which every served app does
before it takes a rule; what they need of protobuf and the command table loads with the first rule that uses them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from starlette.requests import Request

from emulator.device.events_log import log
from emulator.http.context import context
from emulator.http.fault_kinds import KINDS, FaultKind, RuleError, register
from emulator.http.fault_rule import FaultRule

if TYPE_CHECKING:
    from emulator.tedapi.v1r import Inject, Refusal

PATH = "/tedapi/v1r"  # the contract's (emulator.contract.v1r.PATH), which loads only with a rule that needs it
_PREFIX = "MESSAGEFAULT_ERROR_"  # tesla-protocol's (and so aiopowerwall's) spelling of a fault's name
CONFIG_WRITE = "update_file"


class V1rKind(FaultKind):
    """A refusal the v1r door gives in place of a verified request's command."""

    in_route = True
    fields: ClassVar[tuple[str, ...]] = ("command",)

    def check(self, spec: dict[str, Any], tls: bool | str) -> None:
        super().check(spec, tls)
        if spec.get("method", "").upper() not in ("", "POST"):
            raise RuleError(f"{self.name} acts on POST {PATH}: use method POST, or none")
        if spec.get("command"):
            _check_command(spec["command"])

    def check_targets(self, spec: dict[str, Any], templates: list[str]) -> None:
        if templates != [PATH]:
            hits = ", ".join(templates)
            raise RuleError(f"{self.name} acts on POST {PATH} only: {spec['path']!r} hits {hits}; use path {PATH}")

    def concerns(self, rule: FaultRule, command: str | None) -> bool:
        """Whether the rule acts on a request carrying ``command`` (None: an envelope with no command)."""
        return not rule.command or rule.command == command

    def refusal(self, rule: FaultRule, payload: str | None, member: str | None) -> Refusal:
        raise NotImplementedError


@register
class V1rFault(V1rKind):
    name = "v1r_fault"
    fields = ("message_fault", "command")

    def check(self, spec: dict[str, Any], tls: bool | str) -> None:
        super().check(spec, tls)
        fault_code(spec.get("message_fault"))

    def refusal(self, rule: FaultRule, payload: str | None, member: str | None) -> Refusal:
        from emulator.tedapi import signed

        return signed.Fault(fault_code(rule.message_fault), f"fault rule {rule.id}")


@register
class V1rNotVerified(V1rKind):
    name = "v1r_not_verified"

    def refusal(self, rule: FaultRule, payload: str | None, member: str | None) -> Refusal:
        from emulator.tedapi.v1r import NotVerified

        return NotVerified()


@register
class V1rUnimplemented(V1rKind):
    name = "v1r_unimplemented"

    def check(self, spec: dict[str, Any], tls: bool | str) -> None:
        super().check(spec, tls)
        if not spec.get("command"):
            raise RuleError("v1r_unimplemented needs the command it refuses, e.g. dispatch_battery_power")

    def refusal(self, rule: FaultRule, payload: str | None, member: str | None) -> Refusal:
        from emulator.tedapi.dispatch import Unimplemented

        return Unimplemented(payload, member)


@register
class V1rStaleHash(V1rKind):
    """A config.json write refused as a stale hash is: someone wrote in between (the write's own lock)."""

    name = "v1r_stale_hash"
    fields = ()

    def concerns(self, rule: FaultRule, command: str | None) -> bool:
        return command == CONFIG_WRITE

    def refusal(self, rule: FaultRule, payload: str | None, member: str | None) -> Refusal:
        from emulator.device.errors import error

        return error("config_hash_stale")


def fault_code(value: object) -> int:
    """The number of a MessageFault given by name or number; RuleError for one clients cannot name."""
    from emulator.contract.v1r import FAULT, FAULTS

    known = ", ".join(name for code, name in FAULTS.items() if code)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise RuleError(f"message_fault is a fault's name or number: one of {known}")
    code = value if isinstance(value, int) else FAULT.get(value.upper().removeprefix(_PREFIX))
    if code is None or code not in FAULTS:
        raise RuleError(f"message_fault {value!r} is not a MessageFault; known: {known} (or their numbers, 1 to 22)")
    if code == 0:
        raise RuleError("message_fault NONE (0) is no fault: pick one of " + known)
    return code


def command_name(payload: str | None, member: str | None) -> str | None:
    """A command's name for people: its envelope member without ``_request`` (``dispatch_battery_power``).

    None for an envelope that carries no command. The names are unique across payloads (a test holds it), so a
    rule names a command without its payload.
    """
    return member.removesuffix("_request") if payload and member else None


def command_names() -> list[str]:
    """The name of every command the gateway answers (its dispatcher's table), sorted."""
    from emulator.tedapi.commands import registered  # the whole table: every handler module is imported with it

    return sorted(name for payload, member in registered() if (name := command_name(payload, member)))


def _check_command(command: object) -> None:
    names = command_names()
    if command not in names:
        raise RuleError(f"command {command!r} is not one the gateway answers; known: {', '.join(names)}")


def injector(request: Request) -> Inject:
    """What the v1r door asks, for ``request``, once it knows the command: the refusal a rule puts in its place."""
    ctx = context(request)

    def inject(payload: str | None, member: str | None) -> Refusal | None:
        if not ctx.faults.rules:
            return None
        command = command_name(payload, member)
        rule = ctx.faults.pick_in_route(request.scope, ctx.traffic_clock(), lambda rule: _concerns(rule, command))
        if rule is None:
            return None
        log.info("fault %s (%s) fired on POST %s (%s)", rule.id, rule.kind, PATH, command or "no command")
        kind = KINDS[rule.kind]
        assert isinstance(kind, V1rKind)  # what _concerns accepted
        return kind.refusal(rule, payload, member)

    return inject


def _concerns(rule: FaultRule, command: str | None) -> bool:
    kind = KINDS[rule.kind]
    return isinstance(kind, V1rKind) and kind.concerns(rule, command)
