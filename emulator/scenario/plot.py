"""The run as a picture: power flows and SOE over the day, outages shaded, events marked.

matplotlib with the Agg backend (no display needed), imported only when a
plot is asked for, so the CLI starts fast without it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from emulator.scenario.runner import RunResult, Sample

COLORS = {"solar": "#f2a900", "load": "#2b2b2b", "battery": "#2e9e5b", "grid": "#3b6fd4", "soe": "#2e9e5b"}
SPANS = (  # (what is true of a sample, legend text, colour, alpha, hatch)
    (lambda s: not s.grid_connected, "grid down", "#e4572e", 0.13, None),
    (lambda s: s.blackout, "blackout", "#000000", 0.35, None),
    (lambda s: not s.sitemaster_running, "sitemaster stopped", "#7f7f7f", 0.22, "//"),
    (lambda s: s.update_state == "/update_staged", "installing firmware", "#8e6cc4", 0.25, None),
)


def write_plot(result: RunResult, path: str | Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    scenario, samples = result.scenario, result.samples
    zone = scenario.zone
    times = [datetime.fromtimestamp(s.t, zone) for s in samples]
    fig, (power, soe) = plt.subplots(2, 1, figsize=(12, 7.2), sharex=True, gridspec_kw={"height_ratios": [2.6, 1.3], "hspace": 0.08})
    _power_panel(power, times, samples)
    _soe_panel(soe, times, samples)
    spans = _shade(fig, (power, soe), times, samples)
    _mark_events(power, soe, result, zone)
    soe.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M" if _one_day(times) else "%a %H:%M", tz=zone))
    soe.xaxis.set_major_locator(mdates.HourLocator(byhour=range(0, 24, 2 if _one_day(times) else 6), tz=zone))
    soe.set_xlim(times[0], times[-1])
    handles, labels = power.get_legend_handles_labels()
    fig.legend(handles + spans, labels + [p.get_label() for p in spans], loc="upper left", bbox_to_anchor=(0.055, 0.915),
               ncol=8, fontsize=9, frameon=False, handlelength=1.6, columnspacing=1.2)
    fig.suptitle(scenario.title, fontsize=14, fontweight="bold", x=0.06, ha="left", y=0.98)
    fig.text(0.06, 0.93, _subtitle(result, times[0]), fontsize=9.5, color="#555555", ha="left")
    fig.subplots_adjust(left=0.06, right=0.985, top=0.87, bottom=0.07)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _power_panel(ax: Any, times: list[datetime], samples: list[Sample]) -> None:
    kw = [1e-3] * len(samples)
    solar = [s.solar_w * k for s, k in zip(samples, kw)]
    ax.fill_between(times, 0, [max(v, 0.0) for v in solar], color=COLORS["solar"], alpha=0.35, linewidth=0, label="solar")
    ax.plot(times, [s.load_w * 1e-3 for s in samples], color=COLORS["load"], linewidth=1.4, label="home load")
    ax.plot(times, [s.battery_w * 1e-3 for s in samples], color=COLORS["battery"], linewidth=1.5, label="battery (+ discharging)")
    ax.plot(times, [s.site_w * 1e-3 for s in samples], color=COLORS["grid"], linewidth=1.2, label="grid (+ importing)")
    ax.axhline(0, color="#999999", linewidth=0.8)
    ax.set_ylabel("power, kW")
    ax.grid(True, axis="y", alpha=0.25)
    low, high = ax.get_ylim()
    ax.set_ylim(low, high + (high - low) * 0.3)  # room for the event labels


def _soe_panel(ax: Any, times: list[datetime], samples: list[Sample]) -> None:
    soe = [s.soe_pct for s in samples]
    ax.fill_between(times, 0, soe, color=COLORS["soe"], alpha=0.15, linewidth=0)
    ax.plot(times, soe, color=COLORS["soe"], linewidth=1.8, label="state of energy")
    ax.step(times, [s.reserve_pct for s in samples], where="post", color="#c0392b", linewidth=1.0, linestyle="--", label="backup reserve")
    ax.set_ylim(0, 105)
    ax.set_ylabel("SOE, %")
    ax.grid(True, axis="y", alpha=0.25)
    ax.legend(loc="lower right", fontsize=8.5, framealpha=0.9)


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    """Index ranges [i, j] where the flag holds, for shading."""
    runs, begin = [], None
    for i, flag in enumerate(flags):
        if flag and begin is None:
            begin = i
        elif not flag and begin is not None:
            runs.append((begin, i))
            begin = None
    if begin is not None:
        runs.append((begin, len(flags) - 1))
    return runs


def _shade(fig: Any, axes: tuple[Any, Any], times: list[datetime], samples: list[Sample]) -> list[Any]:
    from matplotlib.patches import Patch

    legend = []
    for holds, text, color, alpha, hatch in SPANS:
        runs = _runs([holds(s) for s in samples])
        for begin, end in runs:
            for ax in axes:
                ax.axvspan(times[begin], times[end], color=color, alpha=alpha, linewidth=0, hatch=hatch)
        if runs:
            legend.append(Patch(facecolor=color, alpha=alpha, hatch=hatch, label=text))
    return legend


def _mark_events(power: Any, soe: Any, result: RunResult, zone: Any) -> None:
    """A dashed line per event across both panels, labelled at the top; near neighbours alternate height."""
    last_x, level = None, 0
    span = result.scenario.end - result.scenario.start
    for timer in result.fired:
        when = datetime.fromtimestamp(timer.at, zone)
        for ax in (power, soe):
            ax.axvline(when, color="#444444", linewidth=0.9, linestyle=(0, (4, 3)), alpha=0.8)
        close = last_x is not None and (timer.at - last_x) < span / 12
        level = (level + 1) % 4 if close else 0
        last_x = timer.at
        text = f"{when:%H:%M} {timer.detail.get('label', timer.label)}"
        near_end = timer.at - result.scenario.start > 0.8 * span
        power.annotate(text, xy=(when, 1.0), xycoords=("data", "axes fraction"), xytext=(-3 if near_end else 3, -4 - 14 * level),
                       textcoords="offset points", fontsize=8.5, va="top", ha="right" if near_end else "left", color="#222222",
                       bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})


def _one_day(times: list[datetime]) -> bool:
    return (times[-1] - times[0]).total_seconds() <= 26 * 3600


def _subtitle(result: RunResult, first: datetime) -> str:
    s = result.scenario
    cfg = s.config
    units = f"{cfg.powerwalls} Powerwall{'s' if cfg.powerwalls > 1 else ''}"
    passed = sum(o.passed for o in result.outcomes)
    checks = f"{passed}/{len(result.outcomes)} expectations passed" if result.outcomes else "no expectations"
    return f"{first:%A %d %B %Y}  ·  {units}  ·  {cfg.pv_rating_w / 1000:g} kW PV  ·  firmware {s.run_firmware}  ·  {cfg.tariff.name}  ·  {checks}"


