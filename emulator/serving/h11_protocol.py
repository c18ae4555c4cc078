"""uvicorn's pure-Python h11 protocol with the emulator's protections: the stack used where httptools is missing."""

from __future__ import annotations

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from emulator.serving.transport import Protections


class TrackedH11Protocol(Protections, H11Protocol):
    def _mid_request(self) -> bool:
        # IDLE after data came in: part of a request line or headers; SEND_BODY: part of a body
        return self.conn.their_state in (h11.IDLE, h11.SEND_BODY)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self._mid_request():
            self._disarm()  # idle between requests is uvicorn's keep-alive timeout's business
