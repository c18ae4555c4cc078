"""The run as a picture: power flows and SOE over the day, outages shaded, events marked.

matplotlib with the Agg backend (no display needed), imported only when a
plot is asked for, so the CLI starts fast without it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from emulator.runner.engine import RunResult, Sample

COLORS = {"solar": "#f2a900", "load": "#1f1f1f", "battery": "#2e9e5b", "grid": "#3b6fd4", "reserve": "#c0392b"}
SPANS = (  # (what is true of a sample, legend text, colour, alpha, hatch, name written inside the span)
    (lambda s: not s.grid_connected, "grid down", "#e4572e", 0.14, None, "off grid"),
    (lambda s: s.blackout, "blackout", "#000000", 0.33, None, "blackout"),
    (lambda s: not s.sitemaster_running, "sitemaster stopped", "#7f7f7f", 0.22, "//", "stopped"),
    (lambda s: s.update_state == "/update_staged", "installing firmware", "#8e6cc4", 0.25, None, "installing"),
)
WIDTH_IN, HEIGHT_IN, DPI = 12.0, 7.2, 110
LEFT, RIGHT = 0.06, 0.985
CHAR_PX = 6.2  # an 8.5 pt character at DPI, roughly: decides which side of its line an event label goes


def write_plot(result: RunResult, path: str | Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    samples = result.samples
    times = [datetime.fromtimestamp(s.t, result.scenario.zone) for s in samples]
    fig, (power, soe) = plt.subplots(
        2, 1, figsize=(WIDTH_IN, HEIGHT_IN), sharex=True, gridspec_kw={"height_ratios": [2.6, 1.3], "hspace": 0.08}
    )
    _power_panel(power, times, samples)
    _soe_panel(soe, times, samples)
    spans = _shade((power, soe), times, samples)
    _mark_events(power, soe, result)
    _time_axis(soe, times, result)
    handles, labels = power.get_legend_handles_labels()
    fig.legend(
        handles + spans,
        labels + [p.get_label() for p in spans],
        loc="upper left",
        bbox_to_anchor=(LEFT - 0.005, 0.915),
        ncol=8,
        fontsize=9,
        frameon=False,
        handlelength=1.6,
        columnspacing=1.2,
    )
    fig.suptitle(result.scenario.title, fontsize=14, fontweight="bold", x=LEFT, ha="left", y=0.98)
    fig.text(LEFT, 0.93, _subtitle(result, times[0]), fontsize=9.5, color="#555555", ha="left")
    fig.subplots_adjust(left=LEFT, right=RIGHT, top=0.87, bottom=0.07)
    # the format named, so the file is written at exactly ``path`` (without one, matplotlib appends ".png")
    suffix = Path(path).suffix.lower().lstrip(".")
    try:
        fig.savefig(path, dpi=DPI, format=suffix if suffix in fig.canvas.get_supported_filetypes() else "png")
    finally:
        plt.close(fig)


def _power_panel(ax: Any, times: list[datetime], samples: list[Sample]) -> None:
    """Solar as an area; battery and grid as lines; the home's load drawn last, thin, on top of them."""
    ax.fill_between(
        times,
        0,
        [max(s.solar_w, 0.0) / 1e3 for s in samples],
        color=COLORS["solar"],
        alpha=0.35,
        linewidth=0,
        label="solar",
    )
    ax.plot(
        times,
        [s.battery_w / 1e3 for s in samples],
        color=COLORS["battery"],
        linewidth=2.6,
        alpha=0.9,
        label="battery (+ discharging)",
    )
    ax.plot(times, [s.site_w / 1e3 for s in samples], color=COLORS["grid"], linewidth=1.5, label="grid (+ importing)")
    ax.plot(times, [s.load_w / 1e3 for s in samples], color=COLORS["load"], linewidth=1.0, label="home load")
    ax.axhline(0, color="#999999", linewidth=0.8, zorder=0)
    ax.set_ylabel("power, kW")
    ax.grid(True, axis="y", alpha=0.25)
    low, high = ax.get_ylim()
    ax.set_ylim(low, high + (high - low) * 0.3)  # room for the event labels


def _soe_panel(ax: Any, times: list[datetime], samples: list[Sample]) -> None:
    soe = [s.soe_pct for s in samples]
    ax.fill_between(times, 0, soe, color=COLORS["battery"], alpha=0.10, linewidth=0)
    ax.plot(times, soe, color=COLORS["battery"], linewidth=1.8, label="state of energy")
    ax.step(
        times,
        [s.reserve_pct for s in samples],
        where="post",
        color=COLORS["reserve"],
        linewidth=1.0,
        linestyle="--",
        label="backup reserve",
    )
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


def _shade(axes: tuple[Any, Any], times: list[datetime], samples: list[Sample]) -> list[Any]:
    """Shade each span on both panels and write its name and length at the foot of the power panel."""
    from matplotlib.patches import Patch

    legend = []
    for holds, text, color, alpha, hatch, name in SPANS:
        runs = _runs([holds(s) for s in samples])
        for begin, end in runs:
            for ax in axes:
                ax.axvspan(times[begin], times[end], color=color, alpha=alpha, linewidth=0, hatch=hatch, zorder=0)
            last = end if holds(samples[end]) else end - 1
            minutes = round((samples[last].t - samples[begin].t) / 60)
            middle = times[begin] + (times[end] - times[begin]) / 2
            axes[0].annotate(
                f"{name}\n{minutes // 60} h {minutes % 60:02d}" if minutes else name,
                xy=(middle, 0.02),
                xycoords=("data", "axes fraction"),
                ha="center",
                va="bottom",
                fontsize=8,
                color="#7a2a12" if name == "off grid" else "#333333",
            )
        if runs:
            legend.append(Patch(facecolor=color, alpha=alpha, hatch=hatch, label=text))
    return legend


def _mark_events(power: Any, soe: Any, result: RunResult) -> None:
    """A dashed line per event across both panels, labelled at the top; near neighbours step down."""
    scenario = result.scenario
    span = scenario.end - scenario.start
    axis_px = WIDTH_IN * DPI * (RIGHT - LEFT)
    last, level = None, 0
    for timer in result.fired:
        when = datetime.fromtimestamp(timer.at, scenario.zone)
        for ax in (power, soe):
            ax.axvline(when, color="#444444", linewidth=0.9, linestyle=(0, (4, 3)), alpha=0.8)
        text = f"{when:%H:%M} {timer.detail.get('label', timer.label)}"
        level = (level + 1) % 4 if last is not None and (timer.at - last) * axis_px / span < 200 else 0
        last = timer.at
        fits_right = (scenario.end - timer.at) * axis_px / span > len(text) * CHAR_PX + 12
        power.annotate(
            text,
            xy=(when, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3 if fits_right else -3, -4 - 14 * level),
            textcoords="offset points",
            fontsize=8.5,
            va="top",
            ha="left" if fits_right else "right",
            color="#222222",
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
        )


def _time_axis(ax: Any, times: list[datetime], result: RunResult) -> None:
    import matplotlib.dates as mdates

    zone = result.scenario.zone
    hours = (times[-1] - times[0]).total_seconds() / 3600
    step = 1 if hours <= 8 else 2 if hours <= 26 else 6
    locator = mdates.HourLocator(byhour=range(0, 24, step), tz=zone)  # type: ignore[no-untyped-call]  # matplotlib.dates is unannotated
    formatter = mdates.DateFormatter("%H:%M" if hours <= 24 else "%a %H:%M", tz=zone)  # type: ignore[no-untyped-call]  # as above
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(formatter)
    ax.set_xlim(times[0], times[-1])


def _subtitle(result: RunResult, first: datetime) -> str:
    s = result.scenario
    cfg = s.config
    units = f"{cfg.powerwalls} Powerwall{'s' if cfg.powerwalls > 1 else ''}"
    passed = sum(o.passed for o in result.outcomes)
    checks = f"{passed}/{len(result.outcomes)} expectations passed" if result.outcomes else "no expectations"
    return f"{first:%A %d %B %Y}  ·  {units}  ·  {cfg.pv_rating_w / 1000:g} kW PV  ·  firmware {s.run_firmware}  ·  {cfg.tariff.name}  ·  {checks}"
