"""Splitting one fleet into shards that never talk to each other.

Gateways share no state, so a fleet of N splits into K processes (or pods) with
no coordinator: shard k serves a contiguous block of the fleet's member indices,
and each member keeps the serial, password, seed and fault seed the one-process
fleet gives it (``member_options``). The union of the K shards is that fleet.

The manifest is computed from the same functions without building a gateway, so a
load-test tool can learn every member's serial, URL and password before (or
without) anything is started.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TextIO

from emulator.contract import facts_for
from emulator.device.identity import make_identity
from emulator.serving.fleet import host_name, member_options
from emulator.serving.limits import MAX_FLEET, MAX_GATEWAYS
from emulator.serving.options import DEFAULT_FIRMWARE, RunOptions

MANIFEST_FIELDS = ("index", "shard", "serial", "din", "password", "firmware", "url", "host")


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count`` (0-based, so a StatefulSet pod's ordinal is its shard index)."""

    index: int
    count: int

    def members(self, gateways: int) -> range:
        """The 1-based member indices of a ``gateways`` fleet that fall to this shard: a contiguous block.

        Blocks differ in size by at most one, so every shard carries the same load within a gateway.
        """
        return range(self.index * gateways // self.count + 1, (self.index + 1) * gateways // self.count + 1)

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str) -> Shard:
    """``k/K`` with 0 <= k < K; ValueError with a one-line reason otherwise."""
    head, sep, tail = text.partition("/")
    if not sep or not head.strip().isdigit() or not tail.strip().isdigit():
        raise ValueError(f"{text!r} is not a shard such as 0/4 (index/count, index from 0)")
    index, count = int(head), int(tail)
    if not 1 <= count <= MAX_FLEET:
        raise ValueError(f"shard count in {text!r} must be between 1 and {MAX_FLEET}")
    if not index < count:
        raise ValueError(f"shard index in {text!r} must be below the count (shards are numbered from 0)")
    return Shard(index, count)


def check_shard(shard: Shard, gateways: int) -> range:
    """The shard's members, or ValueError when a shard of this fleet would be empty."""
    if shard.count > gateways:
        raise ValueError(f"{shard.count} shards of {gateways} gateways leave some shards empty: use at most {gateways}")
    return shard.members(gateways)


@dataclass(frozen=True)
class Layout:
    """Where members listen: how a URL template's ``{port}`` and ``{host}`` are filled.

    One machine (``--workers``): in ``ports`` mode member i listens on ``port + i - 1`` (the
    one-process fleet's layout); in ``host`` mode shard k listens on ``port + k``. One host per
    shard (``pods``, a StatefulSet): every shard starts again at ``port``, its first member there.
    In host mode the member is picked by the Host name.
    """

    mode: str = "ports"
    scheme: str = "http"
    port: int = 8080
    pods: bool = False

    def port_of(self, shard: int, index: int, first: int) -> int:
        """The port of member ``index``, served by ``shard`` whose first member is ``first``."""
        if self.mode == "ports":
            return self.port + index - (first if self.pods else 1)
        return self.port if self.pods else self.port + shard

    def default_template(self) -> str:
        host = "127.0.0.1" if self.mode == "ports" else "{host}"
        return f"{self.scheme}://{host}:{{port}}"


def check_template(template: str) -> str:
    """A URL template may use {k}, {port}, {host}, {index}; anything else is refused before printing."""
    try:
        template.format(k=0, port=1, host="gw-001.localhost", index=1)
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(
            f"--url-template {template!r}: only {{k}} {{port}} {{host}} {{index}} may appear ({exc})"
        ) from None
    return template


def manifest(
    options: RunOptions, gateways: int, shards: int, layout: Layout, template: str | None = None
) -> Iterator[dict[str, object]]:
    """Every member of the fleet, shard by shard, as the shards' /_emulator/fleet would list it."""
    if not 1 <= gateways <= MAX_FLEET:
        raise ValueError(f"--gateways must be between 1 and {MAX_FLEET}")
    url = check_template(template or layout.default_template())
    last = Shard(shards - 1, shards).members(gateways)
    highest = layout.port_of(shards - 1, gateways, last.start)  # the last block is the largest
    if "{port}" in url and highest > 65535:
        raise ValueError(f"this layout would need port {highest}: choose a lower --port, or host mode")
    if len(last) > MAX_GATEWAYS:
        raise ValueError(f"{len(last)} gateways per shard: one process serves at most {MAX_GATEWAYS}, use more shards")
    facts = facts_for(options.firmware or DEFAULT_FIRMWARE)
    for k in range(shards):
        block = check_shard(Shard(k, shards), gateways)
        for index in block:
            member = member_options(options, index, gateways)
            identity = make_identity(member.gateway_serial, member.powerwalls, member.seed, member.gw_password)
            host = host_name(index) if layout.mode == "host" else ""
            yield {
                "index": index,
                "shard": k,
                "serial": identity.gateway_serial,
                "din": identity.din,
                "password": member.password
                or facts.default_password(identity.gateway_serial, identity.gateway_password),
                "firmware": facts.version,
                "url": url.format(k=k, port=layout.port_of(k, index, block.start), host=host_name(index), index=index),
                "host": host,
            }


def write_manifest(rows: Iterable[dict[str, object]], form: str, out: TextIO) -> None:
    """JSON (one array, streamed) or CSV with a header row."""
    if form == "csv":
        writer = csv.DictWriter(out, fieldnames=MANIFEST_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    out.write("[")
    for position, row in enumerate(rows):
        out.write(("," if position else "") + "\n  " + json.dumps(row))
    out.write("\n]\n")
