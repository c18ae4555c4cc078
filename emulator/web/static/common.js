/* Shared by the gateway page and the control panel: HTTP with timeouts, number formatting. */
"use strict";

const TEG = (() => {
  const TIMEOUT_MS = 4000;
  const TOKEN_KEY = "teg-emulator-control-token";

  /* Off loopback the control API needs a token. The banner prints this page's URL with
     #token=...: a fragment is never sent to a server nor put in a Referer. Keep it for this
     tab (sessionStorage) and take it out of the address bar so it is not bookmarked or shared. */
  const controlToken = (() => {
    const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
    if (match) {
      sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
      history.replaceState(null, "", location.pathname + location.search);
    }
    return sessionStorage.getItem(TOKEN_KEY);
  })();

  /** One HTTP exchange, never throwing: {ok, status, body, error, ms}. status 0 means no answer. */
  async function call(method, path, body) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    const started = performance.now();
    const init = { method, signal: controller.signal, cache: "no-store", credentials: "same-origin", headers: {} };
    if (controlToken && path.startsWith("/_emulator/")) init.headers["x-emulator-token"] = controlToken;
    if (body !== undefined) {
      init.headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    try {
      const response = await fetch(path, init);
      const text = await response.text();
      let parsed = null;
      let error = null;
      if (text) {
        try { parsed = JSON.parse(text); } catch (e) { error = "the answer is not valid JSON"; }
      }
      if (!response.ok && parsed && typeof parsed.message === "string") error = parsed.message;
      return { ok: response.ok && error === null, status: response.status, body: parsed, error, ms: performance.now() - started };
    } catch (e) {
      const why = e.name === "AbortError" ? `no answer within ${TIMEOUT_MS / 1000} s` : "no answer (connection failed)";
      return { ok: false, status: 0, body: null, error: why, ms: performance.now() - started };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Watts as the gateway's page shows them: kilowatts, one decimal, no sign (direction is said in words). */
  function kw(watts) {
    return `${(Math.abs(watts) / 1000).toFixed(1)} kW`;
  }

  function pct(value) {
    return `${value.toFixed(1)} %`;
  }

  function $(id) {
    return document.getElementById(id);
  }

  function setText(id, text) {
    const el = $(id);
    if (el.textContent !== text) el.textContent = text;
  }

  /** grid_status value -> [what a person reads, the badge's tone]; one table for both pages. */
  const GRID_WORDS = {
    SystemGridConnected: ["Connected", "ok"],
    SystemIslandedActive: ["Islanded", "warn"],
    SystemIslandedReady: ["Islanded", "warn"],
    SystemTransitionToGrid: ["Transitioning", "transition"],
    SystemTransitionToIsland: ["Transitioning", "transition"],
    SystemWaitForUser: ["Waiting for user", "bad"],
    SystemMicroGridFaulted: ["Microgrid faulted", "bad"],
  };

  return { call, kw, pct, $, setText, GRID_WORDS };
})();
