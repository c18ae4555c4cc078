/* The emulator's control panel: every button is one call to the documented control API. */
"use strict";

(() => {
  const { call, kw, pct, $, setText, GRID_WORDS } = TEG;
  const REFRESH_MS = 500;
  const samples = [];
  const editing = new Set(); // sliders the user is moving: polls must not snap them back
  let state = null;
  let polls = 0;

  // -- talking to the control API ------------------------------------------------------------
  function say(text, ok) {
    const el = $("message");
    el.textContent = text;
    el.className = `message ${ok ? "ok" : "bad"}`;
  }

  /** Call the control API; show what happened; on success take the answered state. */
  async function act(method, path, body, done) {
    const reply = await call(method, path, body);
    if (reply.ok) {
      say(`${method} ${path} \u2192 ${reply.status}`, true);
      if (reply.body && reply.body.power_w) show(reply.body);
      if (done) done(reply.body);
    } else {
      const status = reply.status ? `${reply.status}: ` : "";
      say(`${method} ${path} refused \u2014 ${status}${reply.error || "error"}`, false);
    }
    return reply;
  }

  // -- showing the state -----------------------------------------------------------------------
  function show(s) {
    state = s;
    setText("fw", s.firmware);
    setText("sim-time", s.sim_time.slice(0, 19).replace("T", " "));
    const clock = $("clock-state");
    clock.className = `pill ${s.paused ? "pill-warn" : "pill-ok"}`;
    setText("clock-state", s.paused ? "Paused" : `Running ${s.speed}\u00d7`);
    setText("speed-now", `${s.speed}\u00d7${s.paused ? " (paused)" : ""}`);
    setText("pause-toggle", s.paused ? "Resume" : "Pause");

    const [word, tone] = GRID_WORDS[s.grid.status] || [s.grid.status, "bad"];
    const grid = $("grid-now");
    grid.className = `pill pill-${tone}`;
    grid.dataset.status = s.grid.status;
    setText("grid-now", word);
    const sm = $("sm-now");
    sm.className = `pill ${s.sitemaster.running ? "pill-ok" : "pill-bad"}`;
    setText("sm-now", s.sitemaster.running ? "Running" : "Stopped");

    const p = s.power_w;
    setText("now-solar", kw(p.solar));
    setText("now-load", kw(p.load));
    setText("now-site", `${p.site < 0 ? "\u2212" : ""}${kw(p.site)}`);
    setText("now-battery", `${p.battery < 0 ? "\u2212" : ""}${kw(p.battery)}`);
    setText("now-soe", pct(s.soe_pct));
    showSliders(s);
    showFirmware(s.firmware, s.update.firmware);
  }

  function showSliders(s) {
    const values = {
      soe: [s.soe_pct, pct(s.soe_pct)],
      solar: [s.power_w.solar, `${kw(s.power_w.solar)}${s.overrides.solar_w === null ? " (sun)" : ""}`],
      load: [s.power_w.load, `${kw(s.power_w.load)}${s.overrides.load_w === null ? " (profile)" : ""}`],
    };
    for (const [name, [value, label]] of Object.entries(values)) {
      if (editing.has(name)) continue;
      $(`${name}-slider`).value = String(value);
      setText(`${name}-label`, label);
    }
  }

  function record(s) {
    const now = Date.now();
    samples.push({ t: now, soe: s.soe_pct, offGrid: s.grid.status !== "SystemGridConnected", ...s.power_w });
    while (samples.length && samples[0].t < now - FlowChart.WINDOW_MS) samples.shift();
    FlowChart.draw($("chart"), samples, now);
  }

  async function refresh() {
    const started = performance.now();
    const reply = await call("GET", "/_emulator/state");
    if (reply.ok) {
      show(reply.body);
      record(reply.body);
    } else {
      say(`GET /_emulator/state \u2014 ${reply.error || reply.status}`, false);
    }
    if (polls % 2 === 0) await refreshFaults();
    polls += 1;
    document.body.dataset.polls = String(polls);
    setTimeout(refresh, Math.max(0, REFRESH_MS - (performance.now() - started)));
  }

  // -- controls ------------------------------------------------------------------------------
  function bindButtons() {
    $("grid-down").addEventListener("click", () => act("POST", "/_emulator/grid", { connected: false }));
    $("grid-up").addEventListener("click", () => act("POST", "/_emulator/grid", { connected: true }));
    $("sitemaster-stop").addEventListener("click", () => act("POST", "/_emulator/sitemaster", { running: false }));
    $("sitemaster-run").addEventListener("click", () => act("POST", "/_emulator/sitemaster", { running: true }));
    $("solar-auto").addEventListener("click", () => act("PATCH", "/_emulator/state", { solar_w: null }));
    $("load-auto").addEventListener("click", () => act("PATCH", "/_emulator/state", { load_w: null }));
    $("reset").addEventListener("click", () => act("POST", "/_emulator/reset", undefined, () => refreshFaults()));
    $("pause-toggle").addEventListener("click", () => act("POST", "/_emulator/clock", { paused: !(state && state.paused) }));
    for (const button of document.querySelectorAll("button.speed")) {
      button.addEventListener("click", () => act("POST", "/_emulator/clock", { speed: Number(button.dataset.speed) }));
    }
    for (const button of document.querySelectorAll("button.advance")) {
      button.addEventListener("click", () => act("POST", "/_emulator/clock", { advance_s: Number(button.dataset.seconds) }));
    }
    $("speed-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const raw = $("speed-input").value.trim();
      if (raw === "" || !Number.isFinite(Number(raw))) return say("speed must be a number", false);
      act("POST", "/_emulator/clock", { speed: Number(raw) });
    });
  }

  function bindSliders() {
    const fields = { soe: "soe_pct", solar: "solar_w", load: "load_w" };
    for (const [name, field] of Object.entries(fields)) {
      const slider = $(`${name}-slider`);
      slider.addEventListener("input", () => {
        editing.add(name);
        const value = Number(slider.value);
        setText(`${name}-label`, name === "soe" ? pct(value) : kw(value));
      });
      slider.addEventListener("change", async () => {
        editing.add(name);
        await act("PATCH", "/_emulator/state", { [field]: Number(slider.value) });
        editing.delete(name);
      });
    }
  }

  // -- scenarios (served by the scenario module when it is there) ----------------------------------
  async function loadScenarios() {
    const select = $("scenario-select");
    const reply = await call("GET", "/_emulator/scenarios");
    const list = reply.ok && reply.body && Array.isArray(reply.body.scenarios) ? reply.body.scenarios : null;
    if (!list || list.length === 0) {
      select.replaceChildren(new Option("no scenarios available", ""));
      select.disabled = true;
      $("scenario-load").disabled = true;
      const why = reply.status === 404 || (list && list.length === 0) ? "This emulator has no scenarios to load." : `GET /_emulator/scenarios: ${reply.error || reply.status}`;
      setText("scenario-note", why);
      return;
    }
    select.replaceChildren(...list.map((s) => new Option(s.title || s.name, s.name)));
    select.disabled = false;
    $("scenario-load").disabled = false;
    const describe = () => setText("scenario-note", (list.find((s) => s.name === select.value) || {}).description || "\u00a0");
    select.addEventListener("change", describe);
    describe();
    $("scenario-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const chosen = list.find((s) => s.name === select.value);
      act("POST", "/_emulator/scenario", { name: select.value }, () => say(`Loaded scenario \u201c${chosen ? chosen.title || chosen.name : select.value}\u201d`, true));
    });
  }

  // -- firmware updates (POST /_emulator/firmware: the gateway reboots into another contract) ---------------
  function showFirmware(version, update) {
    setText("firmware-now", version);
    const note = update
      ? `${update.from} \u2192 ${update.to}: ${update.phase}${update.phase === "done" ? "" : ` (back at +${Math.round(update.back_at_s - update.started_at_s)} s)`}`
      : "No update since the start.";
    setText("firmware-note", note);
  }

  /** The versions as GET /_emulator/firmware lists them; the first newer one is chosen. */
  async function loadFirmware() {
    const reply = await call("GET", "/_emulator/firmware");
    if (!reply.ok) return say(`GET /_emulator/firmware: ${reply.error || reply.status}`, false);
    const fw = reply.body;
    const select = $("firmware-version");
    select.replaceChildren(...fw.versions.map((v) => new Option(v === fw.version ? `${v} (running)` : v, v)));
    select.value = fw.updates_to[0] || fw.version;
    showFirmware(fw.version, fw.update);
    $("firmware-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const body = { version: select.value, allow_downgrade: $("firmware-downgrade").checked };
      const reboot = $("firmware-reboot").value;
      if (reboot !== "") body.reboot_s = Number(reboot);
      act("POST", "/_emulator/firmware", body, (answer) => showFirmware(answer.version, answer.update));
    });
  }

  // -- faults ----------------------------------------------------------------------------------
  const faultCode = (text) => (/^\d+$/.test(text.trim()) ? Number(text) : text.trim()); // a name or its number
  const FAULT_FIELDS = {
    status: [["fault-status", "status", Number]],
    latency: [["fault-latency", "latency_ms", Number]],
    slow_body: [["fault-chunk", "chunk_delay_ms", Number]],
    tls_stall: [["fault-stall", "stall_s", Number]],
    drift: [["fault-drift", "drift", String], ["fault-pointer", "pointer", String]],
    v1r_fault: [["fault-message", "message_fault", faultCode], ["fault-command", "command", String]],
    v1r_not_verified: [["fault-command", "command", String]],
    v1r_unimplemented: [["fault-command", "command", String]],
  };

  function faultBody() {
    const kind = $("fault-kind").value;
    const body = { path: kind === "tls_stall" ? "*" : $("fault-path").value.trim(), kind };
    if ($("fault-method").value && kind !== "tls_stall") body.method = $("fault-method").value;
    if (kind === "status" && $("fault-preset").value) body.preset = $("fault-preset").value;
    else for (const [id, key, cast] of FAULT_FIELDS[kind] || []) if ($(id).value !== "") body[key] = cast($(id).value);
    for (const [id, key] of [["fault-count", "count"], ["fault-probability", "probability"], ["fault-for", "for_s"]]) {
      if ($(id).value !== "") body[key] = Number($(id).value);
    }
    return body;
  }

  function showFaultFields() {
    const kind = $("fault-kind").value;
    for (const label of document.querySelectorAll("#fault-form [data-kinds]")) {
      label.hidden = !label.dataset.kinds.split(" ").includes(kind);
    }
    $("fault-status").disabled = kind === "status" && $("fault-preset").value !== "";
  }

  function faultDetail(rule) {
    const parts = [];
    if (rule.kind === "status") parts.push(`${rule.status}`);
    if (rule.kind === "latency") parts.push(`${rule.latency_ms} ms`);
    if (rule.kind === "slow_body") parts.push(`${rule.chunk_delay_ms} ms/chunk`);
    if (rule.kind === "drift") parts.push(`${rule.drift} at ${rule.pointer}`);
    if (rule.kind === "v1r_fault") parts.push(`${rule.message_fault}`);
    if (rule.command) parts.push(`on ${rule.command}`);
    if (rule.count !== null) parts.push(`${rule.count} left`);
    if (rule.probability < 1) parts.push(`p=${rule.probability}`);
    if (rule.for_s !== null) parts.push(`for ${rule.for_s} s`);
    return parts.join(", ");
  }

  async function refreshFaults() {
    const reply = await call("GET", "/_emulator/faults");
    if (!reply.ok) return;
    const rows = reply.body.faults.map((rule) => {
      const tr = document.createElement("tr");
      for (const text of [rule.id, rule.method || "any", rule.path, rule.kind, faultDetail(rule), String(rule.hits)]) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.appendChild(td);
      }
      const td = document.createElement("td");
      const remove = document.createElement("button");
      remove.className = "quiet tiny";
      remove.textContent = "\u2715";
      remove.title = `remove ${rule.id}`;
      remove.addEventListener("click", () => act("DELETE", `/_emulator/faults/${encodeURIComponent(rule.id)}`, undefined, () => refreshFaults()));
      td.appendChild(remove);
      tr.appendChild(td);
      return tr;
    });
    if (rows.length === 0) {
      const tr = document.createElement("tr");
      const td = document.createElement("td");
      td.colSpan = 7;
      td.className = "empty";
      td.textContent = "No fault rules: every request gets the gateway's normal answer.";
      tr.appendChild(td);
      rows.push(tr);
    }
    $("fault-list").replaceChildren(...rows);
  }

  /** The kinds and presets as the control API's own schema for a rule lists them (one list, the server's). */
  async function loadFaultKinds() {
    const reply = await call("GET", "/_emulator/schemas/control/fault.json");
    const props = reply.ok && reply.body && reply.body.properties;
    if (!props) return say(`GET /_emulator/schemas/control/fault.json: ${reply.error || reply.status}`, false);
    $("fault-kind").replaceChildren(...props.kind.enum.map((kind) => new Option(kind, kind)));
    $("fault-preset").replaceChildren(new Option("(status below)", ""), ...props.preset.enum.map((p) => new Option(p, p)));
    showFaultFields();
  }

  function bindFaults() {
    loadFaultKinds();
    $("fault-kind").addEventListener("change", showFaultFields);
    $("fault-preset").addEventListener("change", showFaultFields);
    showFaultFields();
    $("fault-form").addEventListener("submit", (event) => {
      event.preventDefault();
      act("POST", "/_emulator/faults", faultBody(), () => refreshFaults());
    });
    $("faults-clear").addEventListener("click", () => act("DELETE", "/_emulator/faults", undefined, () => refreshFaults()));
  }

  bindButtons();
  bindSliders();
  bindFaults();
  loadScenarios();
  loadFirmware();
  window.addEventListener("resize", () => FlowChart.draw($("chart"), samples, Date.now()));
  refresh();
})();
