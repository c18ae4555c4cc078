"""The TEDAPI's HTTP routes: GET /tedapi/din, POST /tedapi/v1, /tedapi/device/{din}/v1 and /tedapi/v1r.

Thin adapters: the firmware facts say which paths exist and how each is authorized, the credentials are
checked here, and :mod:`emulator.tedapi.service` (Wi-Fi) or :mod:`emulator.tedapi.v1r` (LAN, signed)
answers. What a client sees:

* a path this firmware lacks: 404;
* the Wi-Fi TEDAPI's HTTP Basic (``Tesla_Energy_Device`` and the gateway password from the QR sticker):
  none is 401 with ``WWW-Authenticate: Basic``; a wrong user or password 403 (real gateways' answer;
  pypowerwall reports "Access Denied: Check your Gateway Password");
* where the facts say ``login_or_gateway_password`` (GET /tedapi/din on a Powerwall 3), a customer
  session's bearer token (or cookie) instead: an unknown one is the firmware's invalid-session error;
* ``signed`` (POST /tedapi/v1r): no HTTP credentials at all, the body's RSA signature is the credential
  (a bearer header is ignored, not refused: some clients send one);
* a body over 64 KiB: 413; on v1 not a TEDAPI protobuf, an unknown request or an unparseable query: 400;
  an unsigned query: 403; an unknown device or file: 404. v1r answers every other body 200, its refusals
  inside (a message fault, or a command's error), including those fault rules inject: its fault kinds
  (:mod:`emulator.tedapi.fault_kinds`) are registered with these routes.

Errors carry the gateway's JSON error body; answers are ``application/octet-stream``.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import time

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from emulator.device.errors import GatewayError, error
from emulator.device.gateway import Gateway
from emulator.firmware import profile_of
from emulator.http.context import context
from emulator.http.credentials import authorize, presented_tokens
from emulator.http.door import read_bounded
from emulator.http.reply import render_error
from emulator.http.turn import settled
from emulator.tedapi import fault_kinds

USERNAME = "Tesla_Energy_Device"
_PROTOBUF = "application/octet-stream"
_HEADERS = {"cache-control": "no-cache, no-store", "x-content-type-options": "nosniff"}
_NO_CREDENTIALS = error("tedapi_no_credentials")
_BAD_CREDENTIALS = error("tedapi_bad_credentials")


def _gateway(request: Request, path: str) -> Gateway:
    """The gateway, once the request is authorized as its facts say ``path`` (a template) is."""
    gateway = context(request).gateway
    access = gateway.facts.access(request.method, path)
    if access is None:
        raise error("not_on_firmware", path=request.url.path, version=gateway.facts.version)
    if access == "login_or_gateway_password" and _carries_session(request):
        authorize(request, gateway)
    elif access != "signed":
        _check_basic(request, gateway)
    return gateway


def _carries_session(request: Request) -> bool:
    scheme = request.headers.get("authorization", "").partition(" ")[0].lower()
    return scheme == "bearer" or (scheme == "" and bool(presented_tokens(request)))


def _challenge(gateway: Gateway) -> Response:
    """401 with the Basic challenge a browser or curl needs to send credentials."""
    response = render_error(_NO_CREDENTIALS, gateway.facts)
    response.headers["www-authenticate"] = f'Basic realm="{USERNAME}"'
    return response


def _check_basic(request: Request, gateway: Gateway) -> None:
    header = request.headers.get("authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        raise _NO_CREDENTIALS
    try:
        user, sep, password = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise _BAD_CREDENTIALS from None
    good_user = hmac.compare_digest(user.encode(), USERNAME.encode())
    good_password = hmac.compare_digest(password.encode(), gateway.gw_password.encode())
    if not (sep and good_user and good_password):
        raise _BAD_CREDENTIALS


def guard(request: Request, path: str) -> Gateway | Response:
    """The gateway, when the request may use its TEDAPI at ``path`` (a template); the 401 challenge when it
    carries no credentials.

    Raises the gateway's error otherwise (no such path on this firmware: 404; a wrong password: 403).
    Shared with a replay's TEDAPI routes, which answer from a recording instead of the service.
    """
    try:
        return _gateway(request, path)
    except GatewayError as exc:
        if exc is _NO_CREDENTIALS:
            return _challenge(context(request).gateway)
        raise


async def read_body(request: Request) -> bytes:
    """The request body, refused with 413 past the API's limit (also when chunked without a length)."""
    return await _body(request)


async def _body(request: Request) -> bytes:
    """The protobuf body through the same size door as every JSON body (refused as it streams)."""
    try:
        body = await read_bounded(request.headers.get("content-length", ""), request.stream())
    except ClientDisconnect:
        raise error("client_gone") from None
    await settled(context(request).gateway)  # a clock jump that began while the body streamed in ends first
    return body


async def din(request: Request) -> Response:
    gateway = guard(request, "/tedapi/din")
    if isinstance(gateway, Response):
        return gateway
    snap = gateway.snapshot()
    from emulator.tedapi.hardware import describe  # the TEDAPI's first request loads it, not every start

    return Response(
        describe(snap, gateway.facts.hardware, profile_of(gateway).bodies).din.encode("ascii"),
        media_type="text/plain",
        headers=_HEADERS,
    )


async def v1(request: Request) -> Response:
    device = request.path_params.get("din")
    gateway = guard(request, "/tedapi/v1" if device is None else "/tedapi/device/{din}/v1")
    if isinstance(gateway, Response):
        return gateway
    body = await _body(request)
    # Imported here for start-up speed: the service brings protobuf (~0.1 s of CPU), which no gateway
    # needs before its first TEDAPI request, and firmware before 23.x never gets one.
    from emulator.tedapi import service

    answer = service.handle(gateway, body, device)
    return Response(answer, media_type=_PROTOBUF, headers=_HEADERS)


async def v1r(request: Request) -> Response:
    gateway = _gateway(request, "/tedapi/v1r")
    body = await _body(request)
    if not body:  # no message at all is a broken request, not a message to refuse
        raise error("tedapi_body_required")
    # Imported here for start-up speed, as the service above (and the signature checks bring cryptography's RSA).
    from emulator.tedapi import v1r as signed_door

    # the expiry is wall-clock time, never simulated
    answer = signed_door.handle(gateway, body, time.time(), fault_kinds.injector(request))
    return Response(answer, media_type=_PROTOBUF, headers=_HEADERS)


ROUTES = [
    Route("/tedapi/din", din, methods=["GET"], name="tedapi.din"),
    Route("/tedapi/v1", v1, methods=["POST"], name="tedapi.v1"),
    Route("/tedapi/device/{din}/v1", v1, methods=["POST"], name="tedapi.device.v1"),
    Route("/tedapi/v1r", v1r, methods=["POST"], name="tedapi.v1r"),
]
