"""Credentials a request carries (bearer header, AuthCookie) and the session they open on a gateway."""

from __future__ import annotations

from collections.abc import Iterable

from starlette.requests import Request

from emulator.device.errors import GatewayError
from emulator.device.gateway import Gateway
from emulator.device.sessions import Session


def presented_tokens(request: Request) -> list[str]:
    """Every token the request carries: bearer header and each AuthCookie (quotes stripped)."""
    return tokens_in(request.headers.get("authorization", ""), request.headers.getlist("cookie"))


def tokens_in(auth: str, cookie_headers: Iterable[str]) -> list[str]:
    """The tokens in an Authorization header's value and Cookie headers' values, in that order."""
    tokens: list[str] = []
    if auth[:7].lower() == "bearer ":
        tokens.append(auth[7:].strip())
    for header in cookie_headers:
        for part in header.split(";"):
            name, sep, value = part.strip().partition("=")
            if sep and name == "AuthCookie":
                value = value.strip()
                if len(value) >= 2 and value[0] == value[-1] == '"':
                    value = value[1:-1]
                if value:
                    tokens.append(value)
    return tokens


def authorize(request: Request, gateway: Gateway) -> Session:
    facts = gateway.facts
    tokens = presented_tokens(request)
    if not tokens:
        raise GatewayError.of(facts.missing_credentials, request.method)
    for token in tokens:
        session = gateway.authenticate(token)
        if session is not None:
            return session
    raise GatewayError.of(facts.invalid_credentials, request.method)
