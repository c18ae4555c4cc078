"""Servers for the throughput benchmark, run with the emulator's own uvicorn settings.

python bench/_servers.py emulator PORT   # the 1.15.0 gateway, clock running at speed 1
python bench/_servers.py bare PORT       # a bare Starlette JSON route
"""

from __future__ import annotations

import sys

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from emulator import EmulatorOptions, build_gateway, create_app
from emulator.serving.server import bind, run


async def bare(request):  # type: ignore[no-untyped-def]
    return JSONResponse({"site": {"instant_power": 123.4}, "battery": {"instant_power": -56.7}})


def main() -> None:
    kind, port = sys.argv[1], int(sys.argv[2])
    if kind == "bare":
        app = Starlette(routes=[Route("/api/meters/aggregates", bare)])
    else:
        app = create_app(build_gateway(EmulatorOptions(speed=1.0)))
    run(app, bind("127.0.0.1", port), log_level="error")


if __name__ == "__main__":
    main()
