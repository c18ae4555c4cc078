"""Laws live data obeys on any gateway, sampled over time."""

from __future__ import annotations

import pytest

from contract_tests import live
from contract_tests.target import Target

REPORT_AREA = "live data over time"


@pytest.fixture(scope="module")
def samples(target: Target) -> list[live.Sample]:
    return live.series(target)


def test_home_load_is_the_sum_of_site_battery_and_solar(samples: list[live.Sample]) -> None:
    for index, sample in enumerate(samples):
        power = {m: sample.aggregates[m]["instant_power"] for m in live.METERS}
        gap = power["load"] - (power["site"] + power["battery"] + power["solar"])
        tolerance = live.balance_tolerance_w(sample.aggregates)
        assert abs(gap) <= tolerance, (
            f"sample {index}: load.instant_power {power['load']:.0f} W != site {power['site']:.0f} + battery "
            f"{power['battery']:.0f} + solar {power['solar']:.0f} (off by {gap:.0f} W, tolerance {tolerance:.0f} W)"
        )


def test_state_of_energy_stays_within_0_and_100(samples: list[live.Sample]) -> None:
    for index, sample in enumerate(samples):
        soe = sample.soe["percentage"]
        assert 0 <= soe <= 100, f"sample {index}: /api/system_status/soe percentage {soe}"


def test_energy_counters_never_decrease(samples: list[live.Sample]) -> None:
    for before, after in zip(samples, samples[1:], strict=False):
        for meter in live.METERS:
            for counter in live.COUNTERS:
                old, new = before.aggregates[meter][counter], after.aggregates[meter][counter]
                assert new >= old - 0.5, f"aggregates {meter}.{counter} went backwards: {old} -> {new}"


def test_energy_counters_move_with_the_power_that_flows(samples: list[live.Sample]) -> None:
    """Some counter must grow over the samples: a gateway whose counters are frozen is broken."""
    first, last = samples[0].aggregates, samples[-1].aggregates
    grown = [f"{m}.{c}" for m in live.METERS for c in live.COUNTERS if last[m][c] > first[m][c]]
    assert grown, "no energy counter in /api/meters/aggregates grew while power flowed"


def test_an_islanded_site_exchanges_no_power_with_the_grid(samples: list[live.Sample]) -> None:
    for index, sample in enumerate(samples):
        status = sample.grid_status["grid_status"]
        site = sample.aggregates["site"]["instant_power"]
        if status in live.ISLANDED:
            assert abs(site) <= 50, f"sample {index}: grid_status {status} but site.instant_power {site} W"


def test_frequency_is_near_the_grid_codes_nominal(target: Target, samples: list[live.Sample]) -> None:
    site_info = target.read("/api/site_info").json()
    nominal = live.nominal_frequency(site_info)
    for index, sample in enumerate(samples):
        measured = [(m, sample.aggregates[m]["frequency"]) for m in live.METERS if sample.aggregates[m]["frequency"]]
        assert measured, f"sample {index}: every meter reports frequency 0"
        reference = nominal or min((50.0, 60.0), key=lambda f: abs(f - measured[0][1]))
        for meter, frequency in measured:
            assert abs(frequency - reference) <= 1.0, (
                f"sample {index}: {meter}.frequency {frequency} Hz, nominal {reference} Hz"
            )
