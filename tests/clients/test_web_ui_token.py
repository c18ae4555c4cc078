"""The control panel in a real browser when the control API needs a token (the emulator served off loopback)."""

from __future__ import annotations

from typing import Any

import httpx

from emulator import create_app
from emulator.device.factory import EmulatorOptions, build_gateway
from emulator.http.guard import ControlPolicy
from emulator.serving.server import ServerThread
from tests.clients.test_web_ui import REFRESH_TIMEOUT_S, browser, wait_refreshes, wait_until

__all__ = ["browser"]  # the module-scoped Chromium fixture, shared with test_web_ui
TOKEN = "panel-token-0123456789abcdef"


def test_the_panel_opened_with_its_token_in_the_fragment_drives_the_gateway(browser: Any) -> None:
    app = create_app(build_gateway(EmulatorOptions(firmware="1.15.0", paused=True)), control=ControlPolicy.of(TOKEN))
    with ServerThread(app) as running:
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        context.set_default_timeout(REFRESH_TIMEOUT_S * 1000)
        errors: list[str] = []
        try:
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{running.url}/_emulator/#token={TOKEN}")
            wait_refreshes(page, 1)
            assert "token" not in page.url  # taken out of the address bar once kept for the tab
            page.click("#grid-down")
            state = lambda: httpx.get(running.url + "/_emulator/state", headers={"x-emulator-token": TOKEN}).json()  # noqa: E731
            wait_until(lambda: state()["grid"]["utility_up"] is False, "the grid cut from the panel")
        finally:
            context.close()
        assert not errors, errors
        assert httpx.post(running.url + "/_emulator/reset").status_code == 401  # and without it, nothing
