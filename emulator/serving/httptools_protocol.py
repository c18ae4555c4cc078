"""uvicorn's httptools (llhttp, in C) protocol with the emulator's protections: the default, fast stack.

Besides the shared protections it bounds a request's head as the h11 stack does. llhttp itself puts
no limit on a request line or header (httptools gathers a header value in memory for as long as it
grows), while h11 refuses a head still incomplete past 16 KiB with a 400; here the same 400 comes
at the same size, so a client sending endless headers costs bounded memory on both stacks.
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
    _receiving = False  # from a request's first byte to its last (llhttp's message begin/complete)
    _in_head = False  # from its first byte to the end of its headers
    _head_bytes = 0  # read while in the head (over by at most one slice)

    def _mid_request(self) -> bool:
        return self._receiving

    def data_received(self, data: bytes) -> None:
        if len(data) <= _SLICE:
            self._feed(data)
            return
        view = memoryview(data)
        for offset in range(0, len(data), _SLICE):
            self._feed(bytes(view[offset : offset + _SLICE]))
            if self.transport.is_closing():
                return

    def _feed(self, data: bytes) -> None:
        super().data_received(data)
        if self._in_head:
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD_BYTES and not self.transport.is_closing():
                self.logger.warning(_INVALID)
                self.send_400_response(_INVALID)

    def on_message_begin(self) -> None:
        self._receiving = self._in_head = True
        self._head_bytes = 0
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._receiving = False
        super().on_message_complete()
