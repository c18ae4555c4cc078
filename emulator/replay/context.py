"""A replay app's typed state: the live app's context plus the recording's timeline."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request

from emulator.http.context import AppContext, context
from emulator.replay.timeline import Replay


@dataclass
class ReplayContext(AppContext):
    """What a replay's routes share: the borrowed gateway, faults, journal, and the replay itself."""

    replay: Replay = field(kw_only=True)

    def recorded_paths(self) -> dict[str, list[str]] | None:
        return self.replay.paths()


def replay_context(request: Request) -> ReplayContext:
    """The context of the replay app answering ``request``."""
    ctx = context(request)
    if not isinstance(ctx, ReplayContext):
        raise TypeError("a replay route is mounted on an app that serves no recording")
    return ctx
