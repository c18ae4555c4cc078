"""The control API's front door: who may drive the emulator through /_emulator/.

The control API can reset the gateway, cut the grid and read the password, so it
must not be reachable by just any web page or network peer:

* **Cross-site requests (CSRF)**: a page the developer visits can send a POST to
  127.0.0.1 without asking. Browsers always send ``Origin`` on such requests, so a
  request whose Origin is not this server's own is refused (403). Besides, control
  bodies must be JSON (``emulator.http.body.control_body``, 415 otherwise), which no
  HTML form can send and which makes a browser ask first with a preflight that is
  never approved (no CORS headers are ever sent).
* **DNS rebinding**: a page whose name is made to resolve to 127.0.0.1 sends its
  own name in ``Host``. Only loopback names, the address the connection arrived
  on and configured names are accepted (421 otherwise).
* **The network**: bound to an address other than loopback, every control request
  must carry the control token (``X-Emulator-Token`` header, 401 otherwise). The
  web pages receive it in their URL fragment (``#token=...``), which the browser
  never sends to a server or puts in a Referer, and keep it in sessionStorage.

Only the control API is guarded: ``/api/`` is the emulated gateway, which (like a
real one) answers any host that can reach it.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Receive, Scope, Send

CONTROL_PREFIX = "/_emulator"
TOKEN_HEADER = "x-emulator-token"
_OPEN_PATHS = ("/_emulator/", "/_emulator/static/")  # the panel's page and assets: no secrets, no actions
_LOOPBACK_NAMES = frozenset({"localhost", "localhost."})


@dataclass(frozen=True)
class ControlPolicy:
    """``token``: required on every control request when set. ``hosts``: extra names Host may carry."""

    token: str | None = None
    hosts: frozenset[str] = field(default_factory=frozenset)

    @staticmethod
    def of(token: str | None = None, hosts: Iterable[str] = ()) -> ControlPolicy:
        return ControlPolicy(token, frozenset(h.lower().rstrip(".") for h in hosts))


def is_loopback(host: str) -> bool:
    """Whether a bind address or Host name can only be reached from this machine."""
    name = host.strip("[]").lower()
    if name in _LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _host_name(value: str) -> str:
    """The name part of a Host header: no port, no IPv6 brackets, lower case, no trailing dot."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0].rstrip(".") if value.count(":") == 1 else value.rstrip(".")


class ControlGuard:
    """Pure ASGI middleware; requests outside /_emulator pass through untouched."""

    def __init__(self, app: ASGIApp, policy: ControlPolicy | None = None) -> None:
        self.app = app
        self.policy = policy or ControlPolicy()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(CONTROL_PREFIX):
            refusal = self.refusal(scope)
            if refusal is not None:
                await _refuse(send, *refusal)
                return
        await self.app(scope, receive, send)

    def refusal(self, scope: Scope) -> tuple[int, str, str] | None:
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", ())}
        host = headers.get("host")
        if host is not None and not self._host_ok(_host_name(host), scope):
            return 421, "Misdirected Request", f"the control API does not answer for host {host[:100]!r}"
        origin = headers.get("origin")
        if origin is not None and not _same_origin(origin, host, scope):
            return 403, "Forbidden", "the control API refuses cross-origin requests"
        token = self.policy.token
        if token is not None and scope["path"] not in _OPEN_PATHS and not scope["path"].startswith(_OPEN_PATHS[1]):
            given = headers.get(TOKEN_HEADER, "")
            if not hmac.compare_digest(given.encode("utf-8", "replace"), token.encode("utf-8")):
                return 401, "Unauthorized", f"the control API needs its token in the {TOKEN_HEADER} header"
        return None

    def _host_ok(self, name: str, scope: Scope) -> bool:
        server = scope.get("server") or (None, None)
        arrived = str(server[0]).lower() if server[0] else None
        return is_loopback(name) or name == arrived or name in self.policy.hosts


def _same_origin(origin: str, host: str | None, scope: Scope) -> bool:
    """An Origin is ours when it names the very host and port the request was sent to."""
    if host is None or "://" not in origin:
        return False  # includes Origin: null (sandboxed frames, file: pages)
    return origin.split("://", 1)[1].rstrip("/").lower() == host.strip().lower()


async def _refuse(send: Send, status: int, error: str, message: str) -> None:
    body = json.dumps({"code": status, "error": error, "message": message}, separators=(",", ":")).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-cache, no-store"),
        (b"x-content-type-options", b"nosniff"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
