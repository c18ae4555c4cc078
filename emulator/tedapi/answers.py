"""Each gateway's TEDAPI answers for its latest sample, kept for the pollers that ask the same thing again and again.

pypowerwall polls the same signed status query every few seconds through the Wi-Fi door (POST /tedapi/v1),
aiopowerwall the same envelope through the signed door (POST /tedapi/v1r). Both doors answer a read from the
sample (:class:`emulator.device.snapshot.Snapshot`), so they keep, per gateway, what they worked out for the
sample they last saw, and start afresh with every new one -- each meter sample, and every change of state,
a change of the authorized-key table included (``Gateway._changed`` makes a new snapshot):

* the site as TEDAPI clients see it (:func:`emulator.tedapi.commands.site_of`: its DINs, its layout);
* answers, by request: only for commands the table marks ``per_sample`` (their answer is a function of the
  sample and the request, nothing else: no write, no clock, no key table), and never a refusal.

A door keeps only work whose result cannot differ: the signed door still parses, checks the expiry against
the wall clock, verifies the signature and judges the key's state for every request before it looks here.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from weakref import WeakKeyDictionary

from emulator.device.gateway import Gateway
from emulator.device.snapshot import Snapshot
from emulator.tedapi.dispatch import site_of
from emulator.tedapi.hardware import Site


class SampleAnswers:
    """One gateway's answers for one sample. At most ``MAX_ANSWERS`` requests are kept, the least recently asked
    dropped first, so distinct requests cost bounded memory. The request asked last is compared before any
    lookup: a poller's next request is that one again, and comparing its 7 KB body costs a tenth of hashing it
    (the dict's key), which every request would otherwise pay for a new bytes object."""

    MAX_ANSWERS = 16

    def __init__(self) -> None:
        self.snap: Snapshot | None = None
        self._facts: object = None
        self._site: Site | None = None
        self.answers: OrderedDict[Hashable, bytes] = OrderedDict()
        self.last: tuple[Hashable, bytes] | None = None  # already the most recent in ``answers``

    def _follow(self, gw: Gateway, snap: Snapshot) -> None:
        if snap is not self.snap or gw.facts is not self._facts:
            self.snap, self._facts, self._site, self.answers, self.last = snap, gw.facts, None, OrderedDict(), None

    def site(self, gw: Gateway, snap: Snapshot) -> Site:
        """:func:`site_of` for this sample, worked out once."""
        self._follow(gw, snap)
        site = self._site
        if site is None:
            site = self._site = site_of(gw, snap)
        return site

    def get(self, gw: Gateway, snap: Snapshot, key: Hashable, answer: Callable[[], tuple[bytes, bool]]) -> bytes:
        """The kept answer to ``key``, or ``answer()``'s (bytes, whether it may be kept), kept if so."""
        self._follow(gw, snap)
        last = self.last
        if last is not None and last[0] == key:
            return last[1]
        found = self.answers.get(key)
        if found is not None:
            self.answers.move_to_end(key)
        else:
            found, keep = answer()
            if not keep:
                return found
            self.answers[key] = found
            if len(self.answers) > self.MAX_ANSWERS:
                self.answers.popitem(last=False)
        self.last = (key, found)
        return found


_BY_GATEWAY: WeakKeyDictionary[Gateway, SampleAnswers] = WeakKeyDictionary()


def answers_of(gw: Gateway) -> SampleAnswers:
    found = _BY_GATEWAY.get(gw)
    if found is None:
        found = _BY_GATEWAY[gw] = SampleAnswers()
    return found
