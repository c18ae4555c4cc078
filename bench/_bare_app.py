"""The bare Starlette app the benchmarks compare the emulator with, run as users run one: `uvicorn _bare_app:app`.

    uvicorn _bare_app:app --app-dir bench --port 8000 [--http h11 --loop asyncio] [--ssl-certfile C --ssl-keyfile K]

One route, configured by the environment (uvicorn's command line passes nothing to an app):
``BARE_PATH`` (default /api/meters/aggregates), ``BARE_METHOD`` (GET), ``BARE_BODY`` a file with the answer,
``BARE_TYPE`` its content type. A JSON body is parsed once and re-encoded by ``JSONResponse`` on every request,
as a plain Starlette handler would; any other type is answered as the same bytes (the TEDAPI's protobuf).
Without ``BARE_BODY`` it answers a two-field JSON body. ``/api/status`` answers too: what the start-up timer
polls. It imports nothing from the emulator, so its start-up is a bare uvicorn app's.
"""

from __future__ import annotations

import json
import os
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

PATH = os.environ.get("BARE_PATH", "/api/meters/aggregates")
METHOD = os.environ.get("BARE_METHOD", "GET")
KIND = os.environ.get("BARE_TYPE", "application/json")
_data: Any = {"site": {"instant_power": 123.4}, "battery": {"instant_power": -56.7}}
_raw = b""
if os.environ.get("BARE_BODY"):
    with open(os.environ["BARE_BODY"], "rb") as f:
        _raw = f.read()
    if KIND == "application/json":
        _data = json.loads(_raw)


async def answer(request: Request) -> Response:
    if KIND == "application/json":
        return JSONResponse(_data)
    await request.body()  # read what was posted, as a handler of it would
    return Response(_raw, media_type=KIND)


async def status(request: Request) -> Response:
    return JSONResponse({"din": "bare", "version": "0"})


routes = [Route(PATH, answer, methods=[METHOD])]
if PATH != "/api/status":
    routes.append(Route("/api/status", status))
app = Starlette(routes=routes)
