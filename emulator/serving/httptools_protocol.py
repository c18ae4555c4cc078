"""uvicorn's httptools (llhttp, in C) protocol with the emulator's protections: the default, fast stack.

Besides the shared protections it bounds a request's head as the h11 stack does. llhttp itself puts
no limit on a request line or header (httptools gathers a header value in memory for as long as it
grows), while h11 refuses a head still incomplete past 16 KiB with a 400; here the same 400 comes
at the same size, so a client sending endless headers costs bounded memory on both stacks.

Where a request stands is read from what uvicorn's protocol already keeps, not from parser callbacks of
our own (each would cost a call per request): ``on_message_begin`` makes a new ``scope``,
``on_headers_complete`` a new ``cycle`` around that scope, ``on_message_complete`` ends its ``more_body``.

It also writes the hot polls' answers itself (:mod:`emulator.serving.at_once`): a request whose last byte
arrives in the same read as its head is offered to the app's ``answer_at_once`` when it is whole, before
any ASGI task exists, and the answer is written as uvicorn's ``send`` would write it (status line, its
date, the headers, the body) in one write. Only on a kept-alive connection that is not behind on its
writes, with no access log to write and no ``100-continue`` to send; any other request, and any the app
declines, gets its task as usual (at the latest at the end of the read, so nothing waits on the hold).
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol, RequestResponseCycle

from emulator.serving.transport import Protections, header_lines

# what uvicorn's h11 stack allows an incomplete head (h11's DEFAULT_MAX_INCOMPLETE_EVENT_SIZE; h11 itself is not
# imported for it: ~18 ms of start-up. tests/unit/test_uvicorn_internals.py checks the two agree)
MAX_HEAD_BYTES = 16 * 1024
_SLICE = 1024  # larger reads are parsed this much at a time, so a head's size is known to within 1 KiB
_INVALID = "Invalid HTTP request received."  # uvicorn's words for a request it cannot parse, on both stacks


_OK = STATUS_LINE[200]


class TrackedHttpToolsProtocol(Protections, HttpToolsProtocol):
    _head_bytes = 0  # read while the current request's head is incomplete (over by at most one slice)
    _reading = False  # inside data_received: a request may wait for its last byte of this read
    _held: RequestResponseCycle | None = None  # a whole head whose task waits for the rest of this read
    _dates: object = None  # uvicorn's default headers (its date) as last encoded, and their lines
    _date_lines: bytes | None = b""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # uvicorn's send writes the access log line; where one is written, every request goes through it
        self._at_once = None if self.access_log else getattr(self.app, "answer_at_once", None)

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
                self._parse(bytes(view[offset:]))
                return
            self._parse(bytes(view[offset : offset + _SLICE]))
            if self.transport.is_closing():
                return

    def data_received(self, data: bytes) -> None:
        self._reading = True
        try:
            self._feed(data)
        finally:
            self._reading = False
        held = self._held
        if held is not None:  # its last byte is not in this read: the app reads the rest, as any request's
            self._held = None
            HttpToolsProtocol._start_asgi_task(self, held, self.app)

    def _feed(self, data: bytes) -> None:
        """Parse (large reads a slice at a time, bounding the head), then arm or disarm the deadline once for the
        whole read: a request whose head and body come in one read never arms it."""
        if len(data) > _SLICE and self._head_incoming():
            self._sliced(data)
        else:
            self._parse(data)
        scope, cycle = self.scope, self.cycle
        if cycle is not None and cycle.scope is scope:  # the latest request's headers are in
            if cycle.more_body:
                if self._deadline is None:
                    self._arm()
            elif self._deadline is not None:
                self._disarm()  # whole: the app's time is not the client's
        elif scope is not None and self._deadline is None:  # its head is coming in
            self._arm()

    def _parse(self, data: bytes) -> None:
        """Parse, and answer 400 once an incomplete head has grown past the bound."""
        HttpToolsProtocol.data_received(self, data)
        scope, cycle = self.scope, self.cycle
        if cycle is not None and cycle.scope is scope:  # the latest request's headers are in
            self._head_bytes = 0
        elif scope is not None:  # its head is coming in
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD_BYTES and not self.transport.is_closing():
                self.logger.warning(_INVALID)
                self.send_400_response(_INVALID)

    def _start_asgi_task(self, cycle: RequestResponseCycle, app: Any) -> None:
        """Start the app on a request -- or, for one whose head just came in, wait for its last byte in this read."""
        self._unset_keepalive_if_required()  # an answer written earlier in this read armed it
        if (
            self._reading
            and self._at_once is not None
            and cycle is self.cycle
            and cycle.more_body
            and cycle.keep_alive
            and app is self.app
            and not self.expect_100_continue
        ):
            self._held = cycle
            return
        super()._start_asgi_task(cycle, app)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        held = self._held
        if held is not None:
            self._held = None
            if not self._answered(held):
                HttpToolsProtocol._start_asgi_task(self, held, self.app)

    def _answered(self, cycle: RequestResponseCycle) -> bool:
        """Write the app's answer to a whole request at once, as uvicorn's send would; False when it has none."""
        if self.flow.write_paused or self.transport.is_closing() or self._at_once is None:
            return False  # behind on writes: the task's send waits for the client to read
        dates = cycle.default_headers
        if dates is not self._dates:  # uvicorn makes a new list when its date changes (once a second)
            self._dates, self._date_lines = dates, header_lines(dates)
        date_lines = self._date_lines
        if date_lines is None:
            return False  # a header uvicorn's send would refuse: let it
        try:
            found = self._at_once(cycle.scope, bytes(cycle.body))
        except Exception:  # a bug: the full stack meets it again, and answers and reports it as any other
            return False
        if found is None:
            return False
        head, body = found
        cycle.response_started = cycle.response_complete = True
        self.transport.write(b"".join((_OK, date_lines, head, body)))
        cycle.on_response()  # uvicorn's on_response_complete: counts it, arms the keep-alive timeout
        return True
