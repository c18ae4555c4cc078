"""The gateway page and the control panel in a real headless browser (Debian's chromium via Playwright).

Each test starts a real emulator (the ``teg_emulator`` fixture) and drives the pages as a person would.
Without a browser these tests skip, saying how to enable them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ENABLE = (
    'browser tests need Debian\'s chromium and Playwright: `apt-get install chromium` and `pip install -e ".[test]"`'
)
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
FIRMWARES = [
    pytest.param({"firmware": "1.15.0"}, id="1.15.0-http"),
    pytest.param({"firmware": "24.4.0"}, id="24.4.0-https-login"),
]
WITH_21_44_1 = [*FIRMWARES, pytest.param({"firmware": "21.44.1"}, id="21.44.1-https-login")]
REFRESH_TIMEOUT_S = 10.0
pytestmark = pytest.mark.teg_emulator(firmware="1.15.0")  # unless a test names another


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip(f"Playwright is not installed; {ENABLE}")
    if not CHROMIUM.exists():
        pytest.skip(f"no {CHROMIUM}; {ENABLE}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser: Any, teg_emulator: Any) -> Iterator[Callable[[str], Any]]:
    """Open a page of the emulator in a fresh browser context; fails the test on any script error."""
    context = browser.new_context(ignore_https_errors=True, viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(REFRESH_TIMEOUT_S * 1000)
    errors: list[str] = []
    foreign: list[str] = []

    def open_(path: str) -> Any:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("request", lambda r: None if r.url.startswith((teg_emulator.url, "data:")) else foreign.append(r.url))
        page.goto(teg_emulator.url + path)
        wait_refreshes(page, 1)
        return page

    open_.context = context  # type: ignore[attr-defined]  # for tests that stand in for a route
    yield open_
    context.close()
    assert not errors, f"script errors on the page: {errors}"
    assert not foreign, f"the page reached beyond the emulator: {foreign}"


def polls(page: Any) -> int:
    return int(page.evaluate("Number(document.body.dataset.polls)"))


def wait_refreshes(page: Any, count: int = 2) -> None:
    """Wait for ``count`` refreshes to complete; with 2, at least one whole refresh began after the call."""
    target = polls(page) + count
    wait_until(lambda: polls(page) >= target, f"{count} refreshes")


def wait_until(check: Callable[[], bool], what: str, timeout: float = REFRESH_TIMEOUT_S, page: Any = None) -> None:
    """Poll ``check``; with a ``page``, wait through Playwright so its route handlers get to run meanwhile."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        page.wait_for_timeout(20) if page is not None else time.sleep(0.02)


def shown_kw(page: Any, name: str) -> tuple[float, float]:
    """(raw watts the page holds, the kW figure it prints) for one flow."""
    value = page.locator(f"#{name}-value")
    return float(value.get_attribute("data-w")), float(value.text_content().split()[0])


def assert_page_matches(page: Any, state: dict[str, Any]) -> None:
    for name, meter in (("solar", "solar"), ("grid", "site"), ("battery", "battery"), ("home", "load")):
        raw, printed = shown_kw(page, name)
        expected = state["power_w"][meter]
        assert raw == pytest.approx(expected, abs=1e-6), name
        assert printed == pytest.approx(abs(expected) / 1000, abs=0.051), name
    soe = page.locator("#soe-value")
    assert float(soe.get_attribute("data-pct")) == pytest.approx(state["soe_pct"], abs=1e-9)
    assert float(soe.text_content().split()[0]) == pytest.approx(state["soe_pct"], abs=0.051)
    assert page.locator("#grid-status").get_attribute("data-status") == state["grid"]["status"]


@pytest.mark.teg_emulator(speed=0, soe=55)
@pytest.mark.parametrize("teg_emulator", WITH_21_44_1, indirect=True)
def test_the_page_shows_the_emulator_state_within_one_refresh(teg_emulator, open_page):
    teg_emulator.set_solar(3200)
    teg_emulator.set_load(1400)
    page = open_page("/")
    wait_refreshes(page)
    assert_page_matches(page, teg_emulator.state())
    assert page.locator("#grid-status").text_content() == "Connected"
    assert page.locator("#sitemaster").text_content() == "Running"
    assert page.locator("#firmware").text_content() == teg_emulator.firmware

    teg_emulator.set_soe(20)
    teg_emulator.set_load(2600)
    wait_refreshes(page)
    assert_page_matches(page, teg_emulator.state())
    assert page.locator("#battery-dir").text_content() in ("Charging", "Discharging")

    logins = teg_emulator.requests(path="/api/login/Basic")
    if teg_emulator.firmware == "1.15.0":  # open endpoints; a login would stop sitemaster
        assert logins == [] and teg_emulator.state()["sitemaster"]["running"]
        assert page.locator("#login-state").text_content() == "no login needed"
    else:
        assert [e["status"] for e in logins] == [200]
        assert page.locator("#login-state").text_content() == "logged in as customer"
    latest = teg_emulator.requests(path="/api/meters/aggregates")[-3:]
    assert [e["status"] for e in latest] == [200, 200, 200]


@pytest.mark.teg_emulator(speed=0, firmware="24.4.0")
def test_grid_down_on_the_control_panel_islands_the_diagram(teg_emulator, open_page):
    gateway = open_page("/")
    panel = open_page("/_emulator/")
    assert gateway.locator("#grid-status").text_content() == "Connected"
    panel.click("#grid-down")
    wait_until(lambda: gateway.locator("#grid-status").text_content() == "Transitioning", "a transition")
    panel.click("button.advance[data-seconds='60']")  # the clock is paused: move it past the contactor
    wait_until(lambda: gateway.locator("#grid-status").text_content() == "Islanded", "islanded")
    assert gateway.locator("#grid-status").get_attribute("data-status") == "SystemIslandedActive"
    wait_refreshes(gateway)
    assert shown_kw(gateway, "grid")[0] == 0
    assert teg_emulator.state()["grid"]["status"] == "SystemIslandedActive"
    assert panel.locator("#grid-now").text_content() == "Islanded"

    panel.click("#grid-up")
    wait_until(lambda: gateway.locator("#grid-status").text_content() == "Transitioning", "resynchronising")


@pytest.mark.teg_emulator(speed=0)
@pytest.mark.parametrize("teg_emulator", FIRMWARES, indirect=True)
def test_a_stopped_sitemaster_shows_the_502_state(teg_emulator, open_page):
    page = open_page("/")
    banner = page.locator("#stopped-banner")
    assert banner.is_hidden()
    teg_emulator.stop_sitemaster()
    wait_refreshes(page)
    assert banner.is_visible() and "502" in banner.text_content()
    assert "Sitemaster stopped" in banner.text_content()
    assert page.locator("#sitemaster").text_content() == "Stopped"
    assert page.locator("#solar-value").get_attribute("data-w") == ""
    assert page.locator("#soe-value").text_content() == "\u2014"
    assert teg_emulator.requests(path="/api/meters/aggregates")[-1]["status"] == 502
    assert teg_emulator.requests(path="/api/sitemaster")[-1]["status"] == 200

    teg_emulator.run_sitemaster()
    wait_refreshes(page)
    assert banner.is_hidden()
    assert_page_matches(page, teg_emulator.state())

    teg_emulator.fault("/api/meters/aggregates", "status", preset="sitemaster_busy")  # a 502 while it runs
    wait_refreshes(page)
    assert "Live data unavailable" in banner.text_content() and "/api/meters/aggregates" in banner.text_content()
    assert page.locator("#sitemaster").text_content() == "Running"


@pytest.mark.teg_emulator(speed=0)
def test_the_panel_drives_soe_solar_load_and_the_clock(teg_emulator, open_page):
    panel = open_page("/_emulator/")
    start = teg_emulator.state()["sim_time_s"]
    panel.locator("#soe-slider").fill("35")
    wait_until(lambda: teg_emulator.state()["soe_pct"] == 35, "SOE 35")
    panel.locator("#solar-slider").fill("2500")
    panel.locator("#load-slider").fill("1800")
    wait_until(lambda: teg_emulator.state()["overrides"]["load_w"] == 1800, "load override")
    assert teg_emulator.state()["overrides"]["solar_w"] == 2500
    panel.click("#solar-auto")
    wait_until(lambda: teg_emulator.state()["overrides"]["solar_w"] is None, "solar back to the sun")

    panel.click("button.advance[data-seconds='3600']")
    wait_until(lambda: teg_emulator.state()["sim_time_s"] == start + 3600, "an hour later")
    panel.click("button.speed[data-speed='60']")
    wait_until(lambda: teg_emulator.state()["speed"] == 60, "speed 60")
    assert teg_emulator.state()["paused"] is True
    panel.click("#pause-toggle")
    wait_until(lambda: teg_emulator.state()["paused"] is False, "resumed")

    panel.fill("#speed-input", "-5")  # refused by the control API: shown, nothing changes
    panel.click("#speed-form button[type=submit]")
    wait_until(lambda: "refused" in panel.locator("#message").text_content(), "the refusal")
    assert "400" in panel.locator("#message").text_content()
    assert teg_emulator.state()["speed"] == 60

    wait_refreshes(panel)
    assert panel.locator("#now-soe").text_content().endswith("%")
    inked = panel.evaluate(
        """() => { const c = document.getElementById('chart');
                   const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }"""
    )
    assert inked > 2000, "the chart drew nothing"


@pytest.mark.teg_emulator(speed=0)
def test_faults_injected_on_the_panel_show_on_the_gateway_page(teg_emulator, open_page):
    gateway = open_page("/")
    panel = open_page("/_emulator/")
    panel.fill("#fault-path", "/api/system_status/soe")
    panel.select_option("#fault-kind", "status")
    panel.select_option("#fault-preset", "config_busy")
    panel.click("#fault-add")
    wait_until(
        lambda: panel.locator("#fault-list tr").count() == 1 and "f1" in panel.locator("#fault-list").text_content(),
        "the rule listed",
    )
    rules = teg_emulator.control("GET", "faults")["faults"]
    assert [(r["path"], r["kind"], r["status"]) for r in rules] == [("/api/system_status/soe", "status", 503)]
    wait_refreshes(gateway)
    errors = gateway.locator("#error-banner")
    assert errors.is_visible() and "503" in errors.text_content()
    assert gateway.locator("#soe-value").text_content() == "\u2014"

    panel.fill("#fault-path", "/no/such/path")  # refused: the pattern matches nothing served
    panel.click("#fault-add")
    wait_until(lambda: "refused" in panel.locator("#message").text_content(), "the refusal")
    assert len(teg_emulator.control("GET", "faults")["faults"]) == 1

    panel.click("#faults-clear")
    wait_until(lambda: teg_emulator.control("GET", "faults")["faults"] == [], "no rules")
    wait_refreshes(gateway)
    assert errors.is_hidden()


@pytest.mark.teg_emulator(speed=0)
def test_the_panel_injects_body_drift_and_refuses_a_pointer_that_reaches_nothing(teg_emulator, open_page):
    panel = open_page("/_emulator/")
    panel.fill("#fault-path", "/api/system_status/soe")
    panel.select_option("#fault-kind", "drift")
    panel.select_option("#fault-drift", "null")
    panel.fill("#fault-pointer", "/percentag")  # a typo: refused with what is known there
    panel.click("#fault-add")
    wait_until(lambda: "percentage" in panel.locator("#message").text_content(), "the refusal naming the known key")
    assert teg_emulator.control("GET", "faults")["faults"] == []
    panel.fill("#fault-pointer", "/percentage")
    panel.click("#fault-add")
    wait_until(lambda: "null at /percentage" in panel.locator("#fault-list").text_content(), "the rule listed")
    rules = teg_emulator.control("GET", "faults")["faults"]
    assert [(r["kind"], r["drift"], r["pointer"]) for r in rules] == [("drift", "null", "/percentage")]


@pytest.mark.teg_emulator(speed=0, firmware="25.10.1")
def test_the_panel_injects_v1r_faults_and_refuses_a_command_the_gateway_lacks(teg_emulator, open_page):
    panel = open_page("/_emulator/")
    panel.fill("#fault-path", "/tedapi/v1r")
    panel.select_option("#fault-kind", "v1r_unimplemented")
    panel.fill("#fault-command", "reboot")
    panel.click("#fault-add")
    wait_until(lambda: "dispatch_battery_power" in panel.locator("#message").text_content(), "the known commands")
    assert teg_emulator.control("GET", "faults")["faults"] == []
    panel.fill("#fault-command", "dispatch_battery_power")
    panel.click("#fault-add")
    wait_until(lambda: "on dispatch_battery_power" in panel.locator("#fault-list").text_content(), "the rule listed")
    panel.select_option("#fault-kind", "v1r_fault")
    panel.fill("#fault-message", "TIME_EXPIRED")
    panel.fill("#fault-command", "")
    panel.click("#fault-add")
    wait_until(lambda: "TIME_EXPIRED" in panel.locator("#fault-list").text_content(), "the second rule listed")
    panel.fill("#fault-message", "5")  # a fault's number is sent as a number
    panel.click("#fault-add")
    wait_until(lambda: len(teg_emulator.control("GET", "faults")["faults"]) == 3, "the third rule added")
    rules = teg_emulator.control("GET", "faults")["faults"]
    assert [(r["kind"], r["command"], r["message_fault"]) for r in rules] == [
        ("v1r_unimplemented", "dispatch_battery_power", None),
        ("v1r_fault", "", "TIME_EXPIRED"),
        ("v1r_fault", "", 5),
    ]


@pytest.mark.teg_emulator(speed=0)
def test_the_panel_loads_a_bundled_scenario_and_the_gateway_becomes_that_day(teg_emulator, open_page):
    bundled = teg_emulator.control("GET", "scenarios")["scenarios"]
    outage = next(s for s in bundled if s["name"] == "evening-outage")
    panel = open_page("/_emulator/")
    select = panel.locator("#scenario-select")
    wait_until(lambda: select.is_enabled() and select.locator("option").count() == len(bundled), "the scenario list")
    select.select_option(outage["name"])
    assert panel.locator("#scenario-note").text_content() == outage["description"].strip()
    panel.click("#scenario-load")
    wait_until(lambda: teg_emulator.control("GET", "scenario").get("name") == "evening-outage", "the scenario loaded")
    wait_until(lambda: outage["title"] in panel.locator("#message").text_content(), "the confirmation")
    assert teg_emulator.state()["sim_time"].startswith("2026-07-15T00:00")  # the scenario's start


@pytest.mark.teg_emulator(speed=0, firmware="21.44.1")
def test_the_panel_updates_the_firmware_and_shows_what_is_refused(teg_emulator, open_page):
    panel = open_page("/_emulator/")
    select = panel.locator("#firmware-version")
    wait_until(lambda: select.locator("option").count() == 4, "the versions listed")
    assert select.input_value() == "24.4.0"  # the first version an update may go to
    message = panel.locator("#message")
    for version, says in (("1.15.0", "allow_downgrade"), ("25.10.1", "Powerwall 3")):
        select.select_option(version)
        panel.click("#firmware-update")
        wait_until(lambda: "refused" in message.text_content(), f"the refusal of {version}")
        assert says in message.text_content()
        panel.evaluate("document.getElementById('message').textContent = ''")  # the next refusal shows anew
    assert teg_emulator.control("GET", "firmware")["update"] is None  # nothing changed

    select.select_option("24.4.0")
    panel.fill("#firmware-reboot", "30")
    panel.click("#firmware-update")
    wait_until(lambda: teg_emulator.control("GET", "firmware")["update"] is not None, "the update started")
    update = teg_emulator.control("GET", "firmware")["update"]
    assert (update["from"], update["to"], update["reboot_s"], update["phase"]) == ("21.44.1", "24.4.0", 30, "checking")
    panel.click("button.advance[data-seconds='3600']")  # the clock is paused: move it through the update
    wait_until(lambda: panel.locator("#firmware-now").text_content() == "24.4.0", "the new firmware shown")
    wait_until(lambda: "24.4.0: done" in panel.locator("#firmware-note").text_content(), "the update done")

    select.select_option("21.44.1")  # back, now that the downgrade is allowed
    panel.check("#firmware-downgrade")
    panel.click("#firmware-update")
    wait_until(lambda: "21.44.1: checking" in panel.locator("#firmware-note").text_content(), "the downgrade started")
    assert teg_emulator.control("GET", "firmware")["update"]["to"] == "21.44.1"


@pytest.mark.teg_emulator(speed=0)
def test_without_scenarios_the_panel_says_so_and_disables_the_control(teg_emulator, open_page):
    open_page.context.route(
        "**/_emulator/scenarios",
        lambda route: route.fulfill(status=404, content_type="application/json", body='{"code":404}'),
    )
    panel = open_page("/_emulator/")
    select = panel.locator("#scenario-select")
    wait_until(lambda: select.text_content() == "no scenarios available", "the empty list")
    assert select.is_disabled() and panel.locator("#scenario-load").is_disabled()


@pytest.mark.teg_emulator(speed=0)
@pytest.mark.parametrize("teg_emulator", FIRMWARES, indirect=True)
def test_a_401_logs_the_page_in_again_where_that_is_harmless(teg_emulator, open_page):
    page = open_page("/")
    logins_before = len(teg_emulator.requests(path="/api/login/Basic"))
    teg_emulator.fault("/api/meters/aggregates", "status", preset="token_expired", count=1)
    wait_refreshes(page, 3)
    logins = teg_emulator.requests(path="/api/login/Basic")
    if teg_emulator.firmware == "1.15.0":  # a login would stop sitemaster: the page says so instead
        assert logins == [] and teg_emulator.state()["sitemaster"]["running"]
        assert page.locator("#error-banner").is_hidden()  # the one 401 is over
        teg_emulator.fault("/api/meters/aggregates", "status", preset="token_expired")
        wait_refreshes(page)
        assert "not logging in" in page.locator("#error-banner").text_content()
        assert teg_emulator.requests(path="/api/login/Basic") == []
    else:
        assert len(logins) == logins_before + 1 and logins[-1]["status"] == 200
        assert page.locator("#error-banner").is_hidden()
        assert_page_matches(page, teg_emulator.state())


@pytest.mark.teg_emulator(speed=0, firmware="25.10.1", soe=55)
def test_the_page_works_on_a_powerwall_3_with_its_three_lan_endpoints(teg_emulator, open_page):
    teg_emulator.set_solar(2500)
    page = open_page("/")
    wait_refreshes(page)
    assert_page_matches(page, teg_emulator.state())
    assert page.locator("#sitemaster").text_content() == "n/a"  # /api/sitemaster is 404 on a PW3
    assert page.locator("#firmware").text_content() == "25.10.1"
    assert page.locator("#login-state").text_content() == "logged in as customer"
    assert page.locator("#error-banner").is_hidden()
