"""Take the screenshots docs/web-ui.md shows of the two web pages: ``python docs/screenshots.py``.

Needs what the browser tests need (``apt-get install chromium`` and ``pip install -e ".[test]"``) and no
bench or network: it starts an emulator in-process, plays a short scripted evening through the control
API while the control panel records it, and writes docs/img/gateway-page.png and docs/img/control-panel.png.
It takes about a minute and a half, most of it letting the panel's chart fill up.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from emulator.testing import running

OUT = Path(__file__).resolve().parent / "img"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
SETTINGS = {"firmware": "24.4.0", "start": "2026-07-01T12:40:00-07:00", "soe": 98.5, "speed": 1}
# (seconds into the recording, control call) — a cloudy spell, a kettle, an outage and the grid's return
STORY: list[tuple[float, str, str, dict[str, Any]]] = [
    (6, "PATCH", "state", {"cloud_cover": 0.7}),
    (16, "PATCH", "state", {"load_w": 3400}),
    (26, "POST", "grid", {"connected": False}),
    (38, "PATCH", "state", {"load_w": None}),
    (44, "POST", "grid", {"connected": True}),
    (54, "PATCH", "state", {"cloud_cover": None}),
]
RECORD_S = 75.0


def polls(page: Any) -> int:
    return int(page.evaluate("Number(document.body.dataset.polls)"))


def settle(page: Any, refreshes: int = 3) -> None:
    target = polls(page) + refreshes
    while polls(page) < target:
        time.sleep(0.05)


def main() -> int:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print('screenshots: Playwright is missing; pip install -e ".[test]"', file=sys.stderr)
        return 2
    if not Path(CHROMIUM).exists():
        print(f"screenshots: no {CHROMIUM}; apt-get install chromium", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    handle = running(**SETTINGS).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = browser.new_context(
                ignore_https_errors=True, viewport={"width": 1200, "height": 860}, device_scale_factor=1
            )
            gateway = context.new_page()
            gateway.goto(handle.url + "/")
            settle(gateway)
            gateway.screenshot(path=str(OUT / "gateway-page.png"), full_page=True)
            print(f"wrote {OUT / 'gateway-page.png'}")

            handle.set_soe(72)  # room to charge, so the story moves the battery both ways
            handle.set_speed(20)
            panel = context.new_page()
            panel.set_viewport_size({"width": 1280, "height": 1120})
            panel.goto(handle.url + "/_emulator/")
            began = time.monotonic()
            for at, method, path, body in STORY:
                time.sleep(max(0.0, at - (time.monotonic() - began)))
                handle.control(method, path, body)
            time.sleep(max(0.0, RECORD_S - (time.monotonic() - began)))
            handle.fault("/api/system_status/soe", "latency", latency_ms=800, count=20)
            settle(panel, 2)
            panel.screenshot(path=str(OUT / "control-panel.png"), full_page=True)
            print(f"wrote {OUT / 'control-panel.png'}")
            browser.close()
    finally:
        handle.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
