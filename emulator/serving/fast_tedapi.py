"""The TEDAPI's hot path: pypowerwall's poll of POST /tedapi/v1 answered without the router.

pypowerwall polls the same signed status query every few seconds with the same HTTP Basic header.
For that case the full stack's work is known in advance: the route, the credentials (the exact
header a client with the gateway password sends), and the answer (kept per sample by
:func:`emulator.tedapi.service.handle`). :class:`FastTedapi` answers exactly that, with the headers
the route sends, and declines everything else -- another path or credential form, no declared
length, a gateway mid clock jump, a request the service refuses -- which the full stack then
answers from the same body, replayed, as before. So no answer differs, only its cost (measured:
50 us of the app's CPU a request through the router, Request and Response layers; see
docs/benchmarks.md).
"""

from __future__ import annotations

import base64

from starlette.types import Message, Receive, Scope, Send

from emulator.device.errors import GatewayError
from emulator.device.gateway import Gateway
from emulator.http.door import MAX_BODY_BYTES, declared_length
from emulator.serving.transport import header_lines

PATH = "/tedapi/v1"
_BASIC = ("gateway_password", "login_or_gateway_password")  # where HTTP Basic with the gateway password is asked
# what tedapi.routes.v1 answers with: Starlette puts its given headers first, then length and type
_HEADERS = [(b"cache-control", b"no-cache, no-store"), (b"x-content-type-options", b"nosniff")]
_PROTOBUF = (b"content-type", b"application/octet-stream")
_BEFORE_LENGTH = header_lines(_HEADERS) or b""  # constant and valid: tests/http/test_at_once.py compares the bytes
_AFTER_LENGTH = (header_lines([_PROTOBUF]) or b"") + b"\r\n"


class FastTedapi:
    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self._password, self._authorization = "", b""
        self._facts: object = None
        self._basic = False  # whether the facts ask HTTP Basic with the gateway password on POST /tedapi/v1

    def authorization(self) -> bytes:
        """The header a client with the gateway password sends (a loaded scenario may bring another password)."""
        password = self.gateway.gw_password
        if password != self._password:
            from emulator.tedapi.routes import USERNAME  # the route's: imported with the routes, not at start

            secret = f"{USERNAME}:{password}".encode()
            self._password, self._authorization = password, b"Basic " + base64.b64encode(secret)
        return self._authorization

    def length(self, scope: Scope) -> int | None:
        """The declared body length when this request is one to answer here, else None."""
        if scope["path"] != PATH or scope["method"] != "POST":
            return None
        facts = self.gateway.facts
        if facts is not self._facts:  # as the route's guard decides, for the firmware the gateway runs now
            self._facts, self._basic = facts, facts.access("POST", PATH) in _BASIC
        if not self._basic:
            return None
        authorized, length = False, None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorized = value == self.authorization()
            elif name == b"content-length":
                length = declared_length(value.decode("latin-1"))
            elif name == b"transfer-encoding":
                return None
        return length if authorized and length is not None and length <= MAX_BODY_BYTES else None

    def answer(self, body: bytes) -> bytes | None:
        """The cached or fresh answer; None when the full stack must answer (it will say why)."""
        if self.gateway.catching_up:
            return None  # mid-jump: the route waits for the jump (http.turn)
        # Imported here for start-up speed, as the route does: the service brings protobuf.
        from emulator.tedapi import service

        try:
            return service.handle(self.gateway, body)
        except GatewayError:
            return None

    def head(self, answer: bytes) -> bytes:
        """The header lines :meth:`send` makes uvicorn write (after its date), ending in the blank line."""
        return b"%scontent-length: %d\r\n%s" % (_BEFORE_LENGTH, len(answer), _AFTER_LENGTH)

    async def send(self, send: Send, answer: bytes) -> None:
        headers = [*_HEADERS, (b"content-length", str(len(answer)).encode()), _PROTOBUF]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": answer})


async def read_body(receive: Receive) -> tuple[bytes, bool]:
    """The body as far as it came (bounded by the declared length the parser enforces), and whether it is whole."""
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(parts), False  # the client went away
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(parts), True


def replaying(body: bytes, whole: bool, receive: Receive) -> Receive:
    """``receive`` with ``body`` given back first: the full stack reads the request as if nothing had read it."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": not whole}

    return replay
