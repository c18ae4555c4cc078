"""Login and logout. The firmware's facts say what a login does (stop sitemaster, set cookies)."""

from __future__ import annotations

import base64
from typing import Any

from emulator.api.base import Ctx, Handler
from emulator.device import commands
from emulator.http.credentials import presented_tokens
from emulator.http.reply import Reply, dumps


async def login(ctx: Ctx) -> Any:
    body = await ctx.body("requests/login.Basic.json", form_ok=True)
    session = commands.login(ctx.gateway, str(body.get("username", "")), body["password"], body.get("email"))
    reply = ctx.bodies.login(session, ctx.gateway.model.local.zone)
    if not ctx.facts.cookie_sessions:
        return reply
    user_record = base64.b64encode(dumps(reply)).decode("ascii")
    secure = "; Secure" if ctx.request.url.scheme == "https" else ""
    cookies = (
        ("set-cookie", f"AuthCookie={session.token}; Path=/{secure}; HttpOnly; SameSite=Strict"),
        ("set-cookie", f"UserRecord={user_record}; Path=/{secure}; SameSite=Strict"),
    )
    return Reply(200, reply, headers=cookies)


async def logout(ctx: Ctx) -> Any:
    for token in presented_tokens(ctx.request):
        ctx.gateway.logins.logout(token)
    headers: tuple[tuple[str, str], ...] = ()
    if ctx.facts.cookie_sessions:
        expired = "Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
        headers = (("set-cookie", f"AuthCookie=; {expired}"), ("set-cookie", f"UserRecord=; {expired}"))
    return Reply(204, empty=True, headers=headers)


HANDLERS: dict[str, dict[str, Handler]] = {
    "login.Basic": {"POST": login},
    "logout": {"GET": logout},
}
"""Handlers by route name; the path and methods are the contract's (openapi.yaml's x-teg-route)."""
