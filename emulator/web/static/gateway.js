/* The gateway's page: polls the live endpoints every 500 ms and draws the power flow.
 *
 * It is a client like any other: it reads /api/ only, logs in where the firmware wants a
 * session (never where a login would stop sitemaster), and shows what the gateway answers,
 * 502s and faults included.
 */
"use strict";

(() => {
  const { call, kw, pct, $, setText, GRID_WORDS } = TEG;
  const REFRESH_MS = 500;
  const IDLE_W = 10; // below this a flow is drawn as idle
  const POLLS = [
    { key: "aggregates", path: "/api/meters/aggregates" },
    { key: "soe", path: "/api/system_status/soe" },
    { key: "grid", path: "/api/system_status/grid_status" },
    { key: "sitemaster", path: "/api/sitemaster" },
  ];
  const LIVE = ["aggregates", "soe", "grid"]; // what answers 502 while sitemaster is stopped
  // Each flow path runs in the direction of positive power on the wire.
  const FLOWS = {
    solar: { meter: "solar", words: ["Producing", "Drawing"] },
    grid: { meter: "site", words: ["Importing", "Exporting"] },
    battery: { meter: "battery", words: ["Discharging", "Charging"] },
    home: { meter: "load", words: ["Using", "Feeding"] },
  };

  const login = { credentials: null, state: "unknown", user: null, nextAttempt: 0, detail: "" };
  let polls = 0;
  let firmware = null;

  async function loadCredentials() {
    const reply = await call("GET", "/_emulator/credentials");
    login.credentials = reply.ok ? reply.body : null;
  }

  async function loadFirmware() {
    const reply = await call("GET", "/api/status");
    if (reply.ok && reply.body && typeof reply.body.version === "string") {
      firmware = reply.body.version.trim();
      setText("firmware", firmware.split(" ")[0]);
    } else if (reply.status === 404 && login.credentials && login.credentials.firmware) {
      firmware = login.credentials.firmware;  // /api/status is not served (Powerwall 3): the emulator says
      setText("firmware", firmware);
    }
  }

  /** Log in as the page's user if the firmware allows it without side effects; true on success. */
  async function logIn() {
    const creds = login.credentials;
    if (!creds) {
      login.state = "blocked";
      login.detail = "login needed, but the emulator did not say the password";
      return false;
    }
    if (creds.login_stops_sitemaster) {
      login.state = "blocked";
      login.detail = "login needed; not logging in: on this firmware a login stops sitemaster";
      return false;
    }
    if (performance.now() < login.nextAttempt) return false;
    const reply = await call("POST", "/api/login/Basic", {
      username: creds.username, password: creds.password, email: "", force_sm_off: false,
    });
    if (reply.ok) {
      login.state = "in";
      login.user = creds.username;
      login.detail = `logged in as ${creds.username}`;
      return true;
    }
    const wait = reply.status === 429 ? 30000 : 10000;
    login.nextAttempt = performance.now() + wait;
    login.state = "failed";
    login.detail = `login refused (${reply.status || "no answer"}${reply.error ? ": " + reply.error : ""}); retrying in ${wait / 1000} s`;
    return false;
  }

  async function pollAll() {
    const replies = await Promise.all(POLLS.map((p) => call("GET", p.path)));
    return Object.fromEntries(POLLS.map((p, i) => [p.key, replies[i]]));
  }

  function needsLogin(results) {
    return Object.values(results).some((r) => r.status === 401 || r.status === 403);
  }

  async function refresh() {
    const started = performance.now();
    let results = await pollAll();
    if (needsLogin(results) && (await logIn())) results = await pollAll();
    if (!needsLogin(results) && login.state !== "in") {  // a refusal is over once nothing asks for a login
      login.state = login.user ? "in" : "open";
      login.detail = login.user ? `logged in as ${login.user}` : "no login needed";
    }
    if (firmware === null && polls % 10 === 0) await loadFirmware();
    render(results);
    polls += 1;
    document.body.dataset.polls = String(polls);
    setTimeout(refresh, Math.max(0, REFRESH_MS - (performance.now() - started)));
  }

  // -- rendering -------------------------------------------------------------------------
  function render(results) {
    const stopped = LIVE.some((k) => results[k].status === 502);
    renderSitemaster(results.sitemaster);
    renderBanners(results, stopped);
    renderFlows(results.aggregates);
    renderSoe(results.soe);
    renderGrid(results.grid);
    renderPollList(results);
    setText("login-state", login.detail || "\u00a0");
  }

  function renderSitemaster(reply) {
    const el = $("sitemaster");
    if (reply.status === 404) {  // a Powerwall 3 serves only aggregates, soe and grid_status on the LAN
      el.dataset.running = "";
      el.className = "pill pill-unknown";
      setText("sitemaster", "n/a");
      setText("sitemaster-sub", "not served on this firmware");
    } else if (reply.ok && reply.body && typeof reply.body.running === "boolean") {
      const running = reply.body.running;
      el.dataset.running = String(running);
      el.className = `pill ${running ? "pill-ok" : "pill-bad"}`;
      setText("sitemaster", running ? "Running" : "Stopped");
      setText("sitemaster-sub", running ? "/api/sitemaster" : "live data answers 502");
    } else {
      el.dataset.running = "";
      el.className = "pill pill-unknown";
      setText("sitemaster", "Unknown");
      setText("sitemaster-sub", short(reply));
    }
  }

  function renderBanners(results, stopped) {
    const banner = $("stopped-banner");
    banner.hidden = !stopped;
    if (stopped) {
      const running = results.sitemaster.ok && results.sitemaster.body && results.sitemaster.body.running === true;
      const paths = POLLS.filter((p) => LIVE.includes(p.key) && results[p.key].status === 502).map((p) => p.path);
      setText("stopped-title", running ? "Live data unavailable" : "Sitemaster stopped");
      setText("stopped-text", running
        ? `The gateway answers 502 Bad Gateway to ${paths.join(", ")} although sitemaster reports running.`
        : "The gateway answers 502 Bad Gateway to live data; there is nothing to show until sitemaster runs again.");
    }
    const problems = POLLS.filter((p) => !results[p.key].ok && !(stopped && LIVE.includes(p.key)))
      .filter((p) => !(p.key === "sitemaster" && results[p.key].status === 404))
      .filter((p) => !(login.state === "blocked" && [401, 403].includes(results[p.key].status)))
      .map((p) => describe(p.path, results[p.key]));
    if (login.state === "blocked" || login.state === "failed") problems.unshift(login.detail);
    const errors = $("error-banner");
    errors.hidden = problems.length === 0;
    errors.textContent = problems.join(" \u2022 ");
    document.body.classList.toggle("stale", stopped || !results.aggregates.ok);
  }

  function describe(path, reply) {
    if (reply.status === 0) return `${path}: ${reply.error}`;
    return `${path}: ${reply.status}${reply.error ? " " + reply.error : ""}`;
  }

  /** What a tile says when its endpoint did not answer usefully. */
  function short(reply) {
    if (reply.status === 0) return "no answer";
    return `HTTP ${reply.status}${reply.status === 502 && !reply.body ? " (empty body)" : reply.error ? ": " + reply.error : ""}`;
  }

  function meterPower(body, meter) {
    const value = body && body[meter] && body[meter].instant_power;
    return typeof value === "number" ? value : null;
  }

  function renderFlows(reply) {
    for (const [name, flow] of Object.entries(FLOWS)) {
      const watts = reply.ok ? meterPower(reply.body, flow.meter) : null;
      const value = $(`${name}-value`);
      value.dataset.w = watts === null ? "" : String(watts);
      setText(`${name}-value`, watts === null ? "\u2014" : kw(watts));
      const idle = watts === null || Math.abs(watts) < IDLE_W;
      setText(`${name}-dir`, watts === null ? "\u00a0" : idle ? "Idle" : flow.words[watts > 0 ? 0 : 1]);
      drawFlow($(`flow-${name}`), idle ? 0 : watts);
    }
    const time = reply.ok && reply.body && reply.body.site && reply.body.site.last_communication_time;
    setText("site-time", typeof time === "string" && time.length >= 19 ? time.slice(11, 19) : "\u00a0");
  }

  function drawFlow(path, watts) {
    const magnitude = Math.min(Math.abs(watts), 10000) / 10000;
    path.classList.toggle("active", watts !== 0);
    path.classList.toggle("reverse", watts < 0);
    if (watts === 0) return;
    const width = (3 + 7 * Math.sqrt(magnitude)).toFixed(1);
    const seconds = Math.max(0.2, Math.min(2.0, 0.7 / Math.sqrt(Math.abs(watts) / 1000))).toFixed(1) + "s";
    if (path.style.strokeWidth !== `${width}px`) path.style.strokeWidth = `${width}px`;
    if (path.style.animationDuration !== seconds) path.style.animationDuration = seconds;
  }

  function renderSoe(reply) {
    const value = reply.ok && reply.body && typeof reply.body.percentage === "number" ? reply.body.percentage : null;
    const el = $("soe-value");
    el.dataset.pct = value === null ? "" : String(value);
    setText("soe-value", value === null ? "\u2014" : pct(value));
    setText("battery-soe", value === null ? "\u00a0" : `${pct(value)} charged`);
    setText("soe-sub", value === null ? short(reply) : "/api/system_status/soe");
    const shown = value === null ? 0 : Math.max(0, Math.min(100, value));
    const fill = $("soe-fill");
    fill.style.width = `${shown}%`;
    fill.className = `soe-fill ${shown < 10 ? "low" : shown < 20 ? "mid" : ""}`;
    const level = $("pw-level");
    const height = (50 * shown) / 100;
    level.setAttribute("height", height.toFixed(1));
    level.setAttribute("y", (25 - height).toFixed(1));
  }

  function renderGrid(reply) {
    const raw = reply.ok && reply.body && typeof reply.body.grid_status === "string" ? reply.body.grid_status : null;
    const [word, tone] = raw === null ? ["Unknown", "unknown"] : GRID_WORDS[raw] || [raw, "bad"];
    const el = $("grid-status");
    el.dataset.status = raw || "";
    el.className = `pill pill-${tone}`;
    setText("grid-status", word);
    setText("grid-status-raw", raw || short(reply));
    const off = raw !== null && raw !== "SystemGridConnected";
    $("grid-break").classList.toggle("off", !off);
    $("node-grid").classList.toggle("dim", off);
  }

  function renderPollList(results) {
    const list = $("poll-list");
    if (list.children.length !== POLLS.length) {
      list.replaceChildren(...POLLS.map(() => document.createElement("li")));
    }
    POLLS.forEach((p, i) => {
      const r = results[p.key];
      const li = list.children[i];
      li.className = r.ok ? "ok" : "bad";
      const status = r.status === 0 ? "no answer" : String(r.status);
      const text = `GET ${p.path}  ${status}  ${Math.round(r.ms)} ms`;
      if (li.textContent !== text) li.textContent = text;
    });
  }

  async function start() {
    await Promise.all([loadCredentials(), loadFirmware()]);
    refresh();
  }

  start();
})();
