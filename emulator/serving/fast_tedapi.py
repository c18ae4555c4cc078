"""The TEDAPI's hot path: the polls of POST /tedapi/v1 and /tedapi/v1r answered without the router.

pypowerwall polls the same signed status query every few seconds with the same HTTP Basic header
(``/tedapi/v1``); aiopowerwall sends its reads signed with its RSA key (``/tedapi/v1r``, no HTTP
credentials: the signature in the body is the credential). For those, the full stack's work is known in
advance: the route, the credentials (the exact header a client with the gateway password sends; none on
v1r), and the answer (:func:`emulator.tedapi.service.handle`, :func:`emulator.tedapi.v1r.handle`, the very
functions the routes call: every check of the signed door runs for every request). :class:`FastTedapi`
answers exactly that, with the headers the routes send, and declines everything else -- another path or
credential form, no declared length (or none at all on v1r, which the route refuses), a gateway mid clock
jump, a request the Wi-Fi door refuses -- which the full stack then answers from the same body, replayed, as
before. So no answer differs, only its cost (measured: 50 us of the app's CPU a request through the router,
Request and Response layers; see docs/benchmarks.md).
"""

from __future__ import annotations

import base64
import time

from starlette.types import Message, Receive, Scope, Send

from emulator.device.errors import GatewayError
from emulator.device.gateway import Gateway
from emulator.http.door import MAX_BODY_BYTES, declared_length
from emulator.serving.transport import header_lines

PATH = "/tedapi/v1"
SIGNED_PATH = "/tedapi/v1r"
ROUTE_NAMES = {PATH: "tedapi.v1", SIGNED_PATH: "tedapi.v1r"}  # the routes' names, for the debug line
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
        self._signed = False  # whether the facts serve POST /tedapi/v1r (signed: no HTTP credentials)

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
        path = scope["path"]
        if (path != PATH and path != SIGNED_PATH) or scope["method"] != "POST":
            return None
        facts = self.gateway.facts
        if facts is not self._facts:  # as the routes' guard decides, for the firmware the gateway runs now
            self._facts = facts
            self._basic = facts.access("POST", PATH) in _BASIC
            self._signed = facts.access("POST", SIGNED_PATH) == "signed"
        signed = path == SIGNED_PATH
        if not (self._signed if signed else self._basic):
            return None
        authorized, length = signed, None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorized = signed or value == self.authorization()
            elif name == b"content-length":
                length = declared_length(value.decode("latin-1"))
            elif name == b"transfer-encoding":
                return None
        if not authorized or length is None or length > MAX_BODY_BYTES or (signed and length == 0):
            return None
        return length

    def answer(self, path: str, body: bytes) -> bytes | None:
        """The cached or fresh answer; None when the full stack must answer (it will say why)."""
        if self.gateway.catching_up:
            return None  # mid-jump: the route waits for the jump (http.turn)
        # Imported here for start-up speed, as the routes do: the doors bring protobuf (and v1r cryptography).
        try:
            if path == SIGNED_PATH:
                from emulator.tedapi import v1r

                return v1r.handle(self.gateway, body, time.time())  # the expiry is wall-clock time, as the route's
            from emulator.tedapi import service

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
