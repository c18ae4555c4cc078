"""A bare Starlette app for the benchmarks, started the way `teg-emulator serve` is.

python bench/_bare.py --port 0 [--body FILE] [--path /api/meters/aggregates] [--cert C --key K]

It binds, prints its URL on one line (as the emulator's banner does), and serves one JSON route
under the same uvicorn settings as the emulator's (h11, no lifespan, no server header). With ``--body`` the route answers that JSON (parsed
once, re-encoded by ``JSONResponse`` on every request, as a plain Starlette handler would);
without it, a two-field body. It imports nothing from the emulator, so its start-up is a bare uvicorn app's.
"""

from __future__ import annotations

import argparse
import json
import socket
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--body", default=None)
    parser.add_argument("--path", default="/api/meters/aggregates")
    parser.add_argument("--cert", default=None)
    parser.add_argument("--key", default=None)
    args = parser.parse_args()
    data: Any = {"site": {"instant_power": 123.4}, "battery": {"instant_power": -56.7}}
    if args.body:
        with open(args.body, "rb") as f:
            data = json.loads(f.read())

    async def answer(request: Request) -> JSONResponse:
        return JSONResponse(data)

    paths = {args.path, "/api/status"}  # /api/status: what the start-up timer polls
    app = Starlette(routes=[Route(p, answer) for p in paths])
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # as emulator.serving.server.bind
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(2048)
    tls = {"ssl_certfile": args.cert, "ssl_keyfile": args.key} if args.cert else {}
    print(f"bare listening on {'https' if tls else 'http'}://127.0.0.1:{sock.getsockname()[1]}/", flush=True)
    config = uvicorn.Config(
        app, http="h11", log_level="error", access_log=False, lifespan="off", server_header=False, **tls
    )
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
