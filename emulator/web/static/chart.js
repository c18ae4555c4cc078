/* A small line chart on a canvas: power flows (kW, left axis) and charge (%, right axis) over real time. */
"use strict";

const FlowChart = (() => {
  const WINDOW_MS = 5 * 60 * 1000;
  const MIN_SPAN_MS = 60 * 1000;
  const SERIES = [
    { key: "solar", color: "--solar" },
    { key: "load", color: "--home" },
    { key: "site", color: "--grid" },
    { key: "battery", color: "--battery" },
  ];
  const PAD = { left: 52, right: 48, top: 12, bottom: 28 };

  function css(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  /** A step of 1, 2 or 5 times a power of ten giving about five gridlines over ``range``. */
  function niceStep(range) {
    const raw = range / 5;
    const power = Math.pow(10, Math.floor(Math.log10(raw)));
    const unit = raw / power;
    return power * (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10);
  }

  function kwRange(samples) {
    let low = 0;
    let high = 1;
    for (const s of samples) {
      for (const { key } of SERIES) {
        low = Math.min(low, s[key] / 1000);
        high = Math.max(high, s[key] / 1000);
      }
    }
    const step = niceStep(high - low);
    return { low: Math.floor(low / step) * step, high: Math.ceil(high / step) * step, step };
  }

  function prepare(canvas) {
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    return { ctx, width, height };
  }

  function draw(canvas, allSamples, nowMs) {
    const { ctx, width, height } = prepare(canvas);
    const samples = allSamples.filter((s) => s.t >= nowMs - WINDOW_MS);
    const span = Math.min(WINDOW_MS, Math.max(MIN_SPAN_MS, samples.length ? nowMs - samples[0].t : 0));
    const x0 = PAD.left;
    const x1 = width - PAD.right;
    const y0 = PAD.top;
    const y1 = height - PAD.bottom;
    const xOf = (t) => x1 - ((nowMs - t) / span) * (x1 - x0);
    const range = kwRange(samples);
    const yOf = (kw) => y1 - ((kw - range.low) / (range.high - range.low)) * (y1 - y0);
    const yOfPct = (p) => y1 - (p / 100) * (y1 - y0);

    ctx.font = "12px system-ui, sans-serif";
    ctx.lineWidth = 1;
    ctx.strokeStyle = css("--line");
    ctx.fillStyle = css("--muted");
    ctx.textBaseline = "middle";
    for (let v = range.low; v <= range.high + 1e-9; v += range.step) {
      const y = Math.round(yOf(v)) + 0.5;
      ctx.globalAlpha = Math.abs(v) < 1e-9 ? 1 : 0.55;
      ctx.beginPath(); ctx.moveTo(x0, y); ctx.lineTo(x1, y); ctx.stroke();
      ctx.globalAlpha = 1;
      ctx.textAlign = "right";
      ctx.fillText(`${+v.toFixed(2)} kW`, x0 - 8, y);
    }
    ctx.textAlign = "left";
    for (const p of [0, 50, 100]) ctx.fillText(`${p} %`, x1 + 8, yOfPct(p));

    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    const tick = span > 2 * 60 * 1000 ? 60 * 1000 : 15 * 1000;
    for (let ago = 0; ago <= span + 1; ago += tick) {
      const x = xOf(nowMs - ago);
      const label = ago === 0 ? "now" : tick >= 60000 ? `\u2212${ago / 60000} min` : `\u2212${ago / 1000} s`;
      ctx.fillText(label, x, y1 + 8);
    }

    ctx.save();
    ctx.beginPath(); ctx.rect(x0, y0 - 2, x1 - x0, y1 - y0 + 4); ctx.clip();
    shadeOffGrid(ctx, samples, xOf, y0, y1);
    line(ctx, samples, xOf, (s) => yOfPct(s.soe), css("--soe"), [6, 5], 2);
    for (const { key, color } of SERIES) line(ctx, samples, xOf, (s) => yOf(s[key] / 1000), css(color), [], 2.25);
    ctx.restore();
  }

  /** Shade the stretches when the site was not connected to the grid (islanded or in transition). */
  function shadeOffGrid(ctx, samples, xOf, y0, y1) {
    ctx.fillStyle = css("--warn");
    ctx.globalAlpha = 0.1;
    samples.forEach((s, i) => {
      const next = samples[i + 1];
      if (s.offGrid && next) ctx.fillRect(xOf(s.t), y0, xOf(next.t) - xOf(s.t) + 0.5, y1 - y0);
    });
    ctx.globalAlpha = 1;
  }

  function line(ctx, samples, xOf, yOf, color, dash, width) {
    if (samples.length < 2) return;
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.setLineDash(dash);
    ctx.lineJoin = "round";
    ctx.beginPath();
    samples.forEach((s, i) => (i ? ctx.lineTo(xOf(s.t), yOf(s)) : ctx.moveTo(xOf(s.t), yOf(s))));
    ctx.stroke();
    ctx.setLineDash([]);
  }

  return { draw, WINDOW_MS };
})();
