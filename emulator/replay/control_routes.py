"""/_emulator/replay: where a replay is, and pause, speed, advance, seek and loop for it.

The replay's own control route; a replay has no simulated site, so the live
gateway's /_emulator/state and /_emulator/clock do not apply to it.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from emulator.control.routes import control_route
from emulator.http.body import control_body
from emulator.http.reply import json_reply
from emulator.replay.context import replay_context

_HEADERS = {"cache-control": "no-cache, no-store"}


def replay_body(request: Request) -> dict[str, Any]:
    replay = replay_context(request).replay
    clock = replay.clock
    return {
        "file": replay.recording.file.name,
        "recording": replay.recording.header.as_json(),
        "responses": len(replay.recording.responses),
        "paths": list(replay.paths()),
        "duration_s": replay.duration_s,
        "period_s": replay.period_s,
        "elapsed_s": replay.elapsed_s(),
        "position_s": replay.position_s(),
        "replay_time": replay.replay_time().isoformat(),
        "loop": replay.loop,
        "loops": replay.loops(),
        "finished": replay.finished(),
        "speed": clock.speed,
        "paused": clock.paused,
    }


async def get_replay(request: Request) -> Response:
    return json_reply(200, replay_body(request), dict(_HEADERS))


async def post_replay(request: Request) -> Response:
    """Applied in a fixed order: pause, speed, loop, then seek, then advance."""
    body = await control_body(request, "control/replay.post.json")
    replay = replay_context(request).replay
    if "paused" in body:
        replay.clock.pause() if body["paused"] else replay.clock.resume()
    if "speed" in body:
        replay.clock.set_speed(body["speed"])
    if "loop" in body:
        replay.loop = body["loop"]
    if "position_s" in body:
        replay.seek(body["position_s"])
    if "advance_s" in body:
        replay.clock.advance(body["advance_s"])
    return json_reply(200, replay_body(request), dict(_HEADERS))


REPLAY_ROUTES = [control_route("/_emulator/replay", {"GET": get_replay, "POST": post_replay})]
