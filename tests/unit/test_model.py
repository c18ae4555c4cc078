"""Laws of the site model, as properties: balance, SOE bounds, monotone counters,
reserve respected, islanding, determinism."""

from __future__ import annotations

from dataclasses import astuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.model import (
    AUTONOMOUS,
    BACKUP,
    OPERATION_MODES,
    SELF_CONSUMPTION,
    Controls,
    SiteConfig,
    SiteModel,
    initial_state,
)

JULY_1_2026_LA_MIDNIGHT = 1_782_889_200.0  # 2026-07-01T00:00-07:00
HOUR = 3_600.0

configs = st.builds(
    SiteConfig,
    powerwalls=st.integers(1, 4),
    pv_rating_w=st.floats(0, 15_000),
    cloudiness=st.floats(0, 1),
    seed=st.integers(0, 2**31 - 1),
    latitude=st.floats(-60, 60),
)
controls = st.builds(
    Controls,
    mode=st.sampled_from(OPERATION_MODES),
    reserve_pct=st.floats(0, 100),
    grid_connected=st.booleans(),
    battery_enabled=st.booleans(),
)
times = st.floats(JULY_1_2026_LA_MIDNIGHT, JULY_1_2026_LA_MIDNIGHT + 365 * 24 * HOUR)


def model(config: SiteConfig, t: float, soe: float = 50.0) -> SiteModel:
    return SiteModel(config, initial_state(config, t, soe))


@given(configs, controls, times, st.floats(0, 100))
def test_load_equals_site_plus_battery_plus_solar_at_every_instant(config, ctl, t, soe):
    flows = model(config, t, soe).flows_at(t, ctl)
    assert flows.load_w == pytest.approx(flows.site_w + flows.battery_w + flows.solar_w, abs=1e-6)
    assert flows.load_w >= 0


@given(configs, controls, times, st.floats(0, 100), st.floats(1, 48 * HOUR))
@settings(max_examples=60, deadline=None)
def test_soe_stays_within_0_and_100_and_counters_only_grow(config, ctl, t, soe, span):
    m = model(config, t, soe)
    before = astuple(m.state.counters)
    m.advance_to(t + span, ctl, max_steps=500)
    assert 0.0 <= m.state.soe_pct <= 100.0
    after = astuple(m.state.counters)
    assert all(a >= b for a, b in zip(after, before, strict=True))


@given(configs, times, st.floats(10, 90), st.floats(0, 100))
@settings(max_examples=60, deadline=None)
def test_battery_does_not_discharge_below_reserve_on_grid(config, t, reserve, soe):
    m = model(config, t, soe)
    ctl = Controls(mode=SELF_CONSUMPTION, reserve_pct=reserve)
    m.advance_to(t + 12 * HOUR, ctl, max_steps=2_000)
    assert m.state.soe_pct >= min(soe, reserve) - 1e-6


@given(configs, controls, times)
def test_islanded_site_exchanges_no_power_with_the_grid(config, ctl, t):
    islanded = Controls(ctl.mode, ctl.reserve_pct, grid_connected=False, battery_enabled=True)
    assert model(config, t).flows_at(t, islanded).site_w == 0.0


@given(configs, controls, times, st.floats(0, 100), st.floats(1, 6 * HOUR))
@settings(max_examples=40, deadline=None)
def test_same_seed_and_times_give_the_same_answers(config, ctl, t, soe, span):
    a, b = model(config, t, soe), model(config, t, soe)
    for m in (a, b):
        m.advance_to(t + span / 2, ctl)
        m.advance_to(t + span, ctl)
    assert a.state == b.state
    assert a.flows_at(t + span, ctl) == b.flows_at(t + span, ctl)


def test_different_seeds_give_different_days():
    t = JULY_1_2026_LA_MIDNIGHT + 12 * HOUR
    a = model(SiteConfig(seed=1, cloudiness=0.5), t).flows_at(t, Controls())
    b = model(SiteConfig(seed=2, cloudiness=0.5), t).flows_at(t, Controls())
    assert a != b


def test_solar_follows_the_sun_at_the_site():
    cfg = SiteConfig(cloudiness=0.0)
    m = model(cfg, JULY_1_2026_LA_MIDNIGHT)
    noon = m.flows_at(JULY_1_2026_LA_MIDNIGHT + 13 * HOUR, Controls()).solar_w
    night = m.flows_at(JULY_1_2026_LA_MIDNIGHT + 2 * HOUR, Controls()).solar_w
    assert noon > 0.6 * cfg.pv_rating_w
    assert -100 <= night <= 0  # inverters draw a few watts at night, never more than 100 W


def test_winter_noon_gives_less_than_summer_noon():
    cfg = SiteConfig(cloudiness=0.0)
    summer = JULY_1_2026_LA_MIDNIGHT + 13 * HOUR
    winter = summer - 182 * 24 * HOUR
    m = model(cfg, summer)
    assert m.flows_at(winter, Controls()).solar_w < 0.75 * m.flows_at(summer, Controls()).solar_w


def test_self_consumption_charges_from_surplus_solar_and_exports_nothing_while_charging():
    cfg = SiteConfig(cloudiness=0.0)
    t = JULY_1_2026_LA_MIDNIGHT + 13 * HOUR
    flows = model(cfg, t, soe=40).flows_at(t, Controls(mode=SELF_CONSUMPTION))
    assert flows.battery_w < 0  # charging
    assert flows.site_w == pytest.approx(0, abs=1e-6)


def test_backup_mode_holds_the_battery_full_and_charges_from_the_grid_at_night():
    t = JULY_1_2026_LA_MIDNIGHT + 2 * HOUR
    m = model(SiteConfig(), t, soe=50)
    flows = m.flows_at(t, Controls(mode=BACKUP, reserve_pct=100))
    assert flows.battery_w < 0 and flows.site_w > flows.load_w
    m.advance_to(t + 10 * HOUR, Controls(mode=BACKUP, reserve_pct=100), max_steps=10_000)
    assert m.state.soe_pct > 99.5


def test_autonomous_mode_saves_the_battery_for_the_peak():
    cfg = SiteConfig(cloudiness=0.0)
    off_peak_evening = JULY_1_2026_LA_MIDNIGHT + 21 * HOUR  # 9 pm: off-peak, no sun
    peak_evening = JULY_1_2026_LA_MIDNIGHT + 19 * HOUR  # 7 pm: peak
    m = model(cfg, peak_evening, soe=80)
    ctl = Controls(mode=AUTONOMOUS, reserve_pct=10)
    assert m.flows_at(off_peak_evening, ctl).battery_w == 0
    assert m.flows_at(peak_evening, ctl).battery_w > 0


def test_stopped_battery_neither_charges_nor_discharges():
    t = JULY_1_2026_LA_MIDNIGHT + 13 * HOUR
    m = model(SiteConfig(), t, soe=50)
    ctl = Controls(battery_enabled=False)
    m.advance_to(t + 2 * HOUR, ctl)
    assert m.state.soe_pct == pytest.approx(50)
    assert m.flows_at(t + 2 * HOUR, ctl).battery_w == 0


def test_outage_the_battery_carries_the_home_and_full_battery_curtails_solar():
    cfg = SiteConfig(cloudiness=0.0)
    noon = JULY_1_2026_LA_MIDNIGHT + 13 * HOUR
    flows = model(cfg, noon, soe=100).flows_at(noon, Controls(grid_connected=False))
    assert flows.site_w == 0 and flows.battery_w == 0 and flows.curtailed_w > 0
    assert flows.solar_w == pytest.approx(flows.load_w)
    night = JULY_1_2026_LA_MIDNIGHT + 22 * HOUR
    flows = model(cfg, night, soe=30).flows_at(night, Controls(grid_connected=False))
    assert flows.battery_w == pytest.approx(flows.load_w - flows.solar_w) and not flows.blackout


def test_a_flat_battery_during_an_outage_blacks_the_home_out():
    night = JULY_1_2026_LA_MIDNIGHT + 22 * HOUR
    m = model(SiteConfig(), night, soe=2)
    islanded = Controls(grid_connected=False)
    m.advance_to(night + 4 * HOUR, islanded, max_steps=20_000)
    flows = m.flows_at(night + 4 * HOUR, islanded)
    assert m.state.soe_pct == pytest.approx(0, abs=1e-6)
    assert flows.blackout and flows.load_w == 0


def test_round_trip_losses_mean_less_comes_out_than_went_in():
    cfg = SiteConfig(pv_rating_w=0)
    t = JULY_1_2026_LA_MIDNIGHT
    m = model(cfg, t, soe=0.0)
    start = m.state.counters.battery_imported_wh
    m.advance_to(t + 4 * HOUR, Controls(mode=BACKUP, reserve_pct=100), max_steps=20_000)
    charged_ac = m.state.counters.battery_imported_wh - start
    stored = m.state.energy_wh
    assert stored == pytest.approx(charged_ac * cfg.one_way_efficiency, rel=1e-6)
