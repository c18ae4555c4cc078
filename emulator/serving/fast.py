"""The hot path: a poll of a snapshot read answered from the sample's cached bytes, without the router.

Pollers (Home Assistant, pypowerwall, dashboards) read the same few GETs again and
again. For those, everything the full stack would do is known in advance: the path
maps to one route name, the firmware says whether it is served and open, the
body is the cached bytes of the latest sample, and the headers are the profile's
constant ones. :class:`FastReads` answers exactly that case and declines
everything else (unknown path, a missing or bad login, sitemaster stopped, a
query string), which the full Starlette stack then answers as before, so no
answer differs, only its cost.
"""

from __future__ import annotations

import math

from starlette.types import Scope, Send

from emulator.api.base import SnapshotRead, sample_bytes
from emulator.device.errors import GatewayError
from emulator.device.gateway import Gateway
from emulator.firmware import profile_of
from emulator.http.credentials import tokens_in
from emulator.http.reply import raw_headers
from emulator.serving.transport import header_lines

_JSON = (b"content-type", b"application/json")


class FastReads:
    def __init__(self, gateway: Gateway, reads: dict[str, SnapshotRead]) -> None:
        self.gateway = gateway
        self._all = reads
        self._facts: object = None
        self._last_asked: tuple[object, ...] = ()
        self._last_answer = False
        self._last_until = 0.0  # sim seconds: the kept answer holds before this
        self._follow()

    def _follow(self) -> None:
        """What these reads are for the firmware the gateway runs now (again after a firmware update)."""
        facts = self.gateway.facts
        profile = profile_of(self.gateway)
        self.reads = {
            path: (read, profile.is_open(read.name)) for path, read in self._all.items() if profile.serves(read.name)
        }
        self.headers = raw_headers(facts)
        lines = header_lines([_JSON, *self.headers])
        self._lines = None if lines is None else lines + b"\r\n"  # None: uvicorn's send refuses one; never here
        self._facts = facts

    def body_for(self, scope: Scope) -> bytes | None:
        """The 200 body to answer with, or None when the full stack must answer (it will say why)."""
        if self.gateway.facts is not self._facts:
            self._follow()
        found = self.reads.get(scope["path"])
        if found is None or scope["method"] != "GET" or self.gateway.catching_up:  # mid-jump: wait (http.turn)
            return None
        read, is_open = found
        if not is_open and not self._authorized(scope):
            return None
        try:
            return sample_bytes(self.gateway, read.name, live=read.live)
        except GatewayError:
            return None

    def _authorized(self, scope: Scope) -> bool:
        """Whether the request's credentials open a session. A poller sends its cookie again and again, so the
        last answer is kept for the exact same header values, the same sessions (a login, a logout, a reset or
        an expiry found changes their generation) and the same lifetime -- and, when a session opened, only
        until that session's lifetime ends on the sim clock: from then on the question is asked again, and
        the gateway finds it expired (and forgets it) as it would have without the kept answer."""
        auth, cookies = b"", []
        for name, value in scope["headers"]:
            if name == b"authorization":
                auth = auth or value
            elif name == b"cookie":
                cookies.append(value)
        gateway = self.gateway
        sessions, lifetime_s = gateway.logins.sessions, gateway.logins.lifetime_s
        asked = (auth, tuple(cookies), sessions, sessions.generation, lifetime_s)
        if asked == self._last_asked and gateway.clock.now() < self._last_until:
            return self._last_answer
        answer, until = False, math.inf  # no session: none opens by time passing, only with a new generation
        for token in tokens_in(auth.decode("latin-1"), [cookie.decode("latin-1") for cookie in cookies]):
            session = gateway.authenticate(token)
            if session is not None:
                answer, until = True, session.login_time + lifetime_s
                break
        # asked again after authenticate, which forgets an expired session (a new generation)
        self._last_asked = (auth, tuple(cookies), sessions, sessions.generation, lifetime_s)
        self._last_answer, self._last_until = answer, until
        return answer

    def head(self, body: bytes) -> bytes | None:
        """The header lines :meth:`send` makes uvicorn write (after its date), ending in the blank line."""
        lines = self._lines
        return None if lines is None else b"content-length: %d\r\n" % len(body) + lines

    async def send(self, send: Send, body: bytes) -> None:
        headers = [(b"content-length", str(len(body)).encode()), _JSON, *self.headers]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
