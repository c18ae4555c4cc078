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

from collections.abc import Sequence

from starlette.routing import BaseRoute
from starlette.types import Scope, Send

from emulator.api.base import ApiRoute, SnapshotRead, sample_bytes
from emulator.device.errors import GatewayError
from emulator.device.gateway import Gateway
from emulator.firmware import profile_of
from emulator.http.credentials import tokens_in
from emulator.http.reply import raw_headers

_JSON = (b"content-type", b"application/json")


def snapshot_reads(routes: Sequence[BaseRoute]) -> dict[str, SnapshotRead]:
    """Path -> snapshot read, for every route whose GET body is a renderer of the snapshot."""
    return {r.path: r.snapshot_read for r in routes if isinstance(r, ApiRoute) and r.snapshot_read is not None}


class FastReads:
    def __init__(self, gateway: Gateway, reads: dict[str, SnapshotRead]) -> None:
        self.gateway = gateway
        self._all = reads
        self._facts: object = None
        self._follow()

    def _follow(self) -> None:
        """What these reads are for the firmware the gateway runs now (again after a firmware update)."""
        facts = self.gateway.facts
        profile = profile_of(self.gateway)
        self.reads = {
            path: (read, profile.is_open(read.name)) for path, read in self._all.items() if profile.serves(read.name)
        }
        self.headers = raw_headers(facts)
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
        auth, cookies = "", []
        for name, value in scope["headers"]:
            if name == b"authorization":
                auth = auth or value.decode("latin-1")
            elif name == b"cookie":
                cookies.append(value.decode("latin-1"))
        return any(self.gateway.authenticate(token) is not None for token in tokens_in(auth, cookies))

    async def send(self, send: Send, body: bytes) -> None:
        headers = [(b"content-length", str(len(body)).encode()), _JSON, *self.headers]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
