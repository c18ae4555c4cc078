"""uvicorn's httptools (llhttp, in C) protocol with the emulator's protections: the default, fast stack.

Besides the shared protections it bounds a request's head as the h11 stack does. llhttp itself puts
no limit on a request line or header (httptools gathers a header value in memory for as long as it
grows), while h11 refuses a head still incomplete past 16 KiB with a 400; here the same 400 comes
at the same size, so a client sending endless headers costs bounded memory on both stacks.

Where a request stands is read from what uvicorn's protocol already keeps, not from parser callbacks of
our own (each would cost a call per request): ``on_message_begin`` makes a new ``scope``,
``on_headers_complete`` a new ``cycle`` around that scope, ``on_message_complete`` ends its ``more_body``.
"""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from emulator.serving.transport import Protections

# what uvicorn's h11 stack allows an incomplete head (h11's DEFAULT_MAX_INCOMPLETE_EVENT_SIZE; h11 itself is not
# imported for it: ~18 ms of start-up. tests/unit/test_uvicorn_internals.py checks the two agree)
MAX_HEAD_BYTES = 16 * 1024
_SLICE = 1024  # larger reads are parsed this much at a time, so a head's size is known to within 1 KiB
_INVALID = "Invalid HTTP request received."  # uvicorn's words for a request it cannot parse, on both stacks


class TrackedHttpToolsProtocol(Protections, HttpToolsProtocol):
    _head_bytes = 0  # read while the current request's head is incomplete (over by at most one slice)

    def _mid_request(self) -> bool:
        scope, cycle = self.scope, self.cycle
        if cycle is not None and cycle.scope is scope:  # the latest request's headers are in
            return bool(cycle.more_body)
        return scope is not None  # its head is coming in

    def _head_incoming(self) -> bool:
        """No request under way (the next bytes begin one), or one whose headers are still coming in."""
        scope, cycle = self.scope, self.cycle
        return cycle is None or cycle.scope is not scope or not cycle.more_body

    def _sliced(self, data: bytes) -> None:
        """A head a slice at a time (its size known to within one); the rest of a body, once reached, in one go."""
        view = memoryview(data)
        for offset in range(0, len(data), _SLICE):
            if not self._head_incoming():
                self.data_received(bytes(view[offset:]))
                return
            self.data_received(bytes(view[offset : offset + _SLICE]))
            if self.transport.is_closing():
                return

    def data_received(self, data: bytes) -> None:
        """Parse (large reads a slice at a time), bound the head, then arm or disarm the deadline."""
        if len(data) > _SLICE and self._head_incoming():
            self._sliced(data)
            return
        HttpToolsProtocol.data_received(self, data)
        scope, cycle = self.scope, self.cycle
        if cycle is not None and cycle.scope is scope:  # the latest request's headers are in
            self._head_bytes = 0
            if cycle.more_body:
                if self._deadline is None:
                    self._arm()
            elif self._deadline is not None:
                self._disarm()  # whole: the app's time is not the client's
        elif scope is not None:  # its head is coming in
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD_BYTES and not self.transport.is_closing():
                self.logger.warning(_INVALID)
                self.send_400_response(_INVALID)
            if self._deadline is None:
                self._arm()
