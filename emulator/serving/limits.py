"""How large a fleet may be: read by the CLI's flags before anything is built, so kept apart from the
fleet and shard machinery that a single served gateway never loads (issue 13's start-up budget)."""

from __future__ import annotations

from emulator.numbers import whole_number

MAX_GATEWAYS = 10_000  # per process; bench/bench_fleet.py: 5,000 polled as Home Assistant does use ~1/4 of a core
MAX_FLEET = 1_000_000  # members across all shards: a bound on manifest size and time, not on a process

fleet_size = whole_number(1, MAX_FLEET)
"""Reads the members of a whole fleet, or its number of shards: `serve --gateways`, `fleet manifest --gateways
/--shards`, and a StatefulSet's TEG_GATEWAYS and TEG_SHARDS."""
