"""Driving a running emulator through its documented control API, and checking what it was asked.

A mixin of :class:`emulator.testing.Emulator`: everything here goes over HTTP
to /_emulator/..., exactly as a test in another process or language would, so
the handle proves the control API works rather than reaching into the gateway.
"""

from __future__ import annotations

import difflib
import fnmatch
import json
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any


class ControlClient:
    """Intention-revealing ways to push an emulated gateway around, and to verify its traffic."""

    url: str

    def _tls(self) -> ssl.SSLContext | None:
        """The client context for the control API over HTTPS (the handle knows the certificate served)."""
        return None

    # -- the control API -------------------------------------------------------------
    def control(self, method: str, path: str, body: Any = None, query: dict[str, Any] | None = None) -> Any:
        url = f"{self.url}/_emulator/{path}"
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method, headers={"content-type": "application/json"})
        try:
            with urllib.request.urlopen(request, context=self._tls(), timeout=30) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as err:
            detail = err.read().decode("utf-8", "replace")
            raise AssertionError(f"control API {method} /_emulator/{path} refused: {err.code} {detail}") from None

    def _obj(self, method: str, path: str, body: Any = None, query: dict[str, Any] | None = None) -> dict[str, Any]:
        """A control call whose answer is a JSON object (every one but DELETE's)."""
        answer = self.control(method, path, body, query)
        if not isinstance(answer, dict):
            raise AssertionError(f"control API {method} /_emulator/{path} answered {answer!r}, not an object")
        return answer

    def state(self) -> dict[str, Any]:
        return self._obj("GET", "state")

    def set_grid(self, connected: bool) -> dict[str, Any]:
        return self._obj("POST", "grid", {"connected": connected})

    def advance(self, seconds: float) -> dict[str, Any]:
        return self._obj("POST", "clock", {"advance_s": seconds})

    def set_speed(self, speed: float) -> dict[str, Any]:
        return self._obj("POST", "clock", {"speed": speed})

    def pause(self) -> dict[str, Any]:
        return self._obj("POST", "clock", {"paused": True})

    def resume(self) -> dict[str, Any]:
        return self._obj("POST", "clock", {"paused": False})

    def set_soe(self, pct: float) -> dict[str, Any]:
        return self._obj("PATCH", "state", {"soe_pct": pct})

    def set_solar(self, watts: float | None) -> dict[str, Any]:
        """Force PV output (None: back to the sun and clouds)."""
        return self._obj("PATCH", "state", {"solar_w": watts})

    def set_load(self, watts: float | None) -> dict[str, Any]:
        """Force the house's consumption (None: back to the household profile)."""
        return self._obj("PATCH", "state", {"load_w": watts})

    def set_cloud_cover(self, cover: float | None) -> dict[str, Any]:
        return self._obj("PATCH", "state", {"cloud_cover": cover})

    def stop_sitemaster(self) -> dict[str, Any]:
        return self._obj("POST", "sitemaster", {"running": False})

    def run_sitemaster(self) -> dict[str, Any]:
        return self._obj("POST", "sitemaster", {"running": True})

    def set_operation(self, mode: str | None = None, reserve: float | None = None) -> dict[str, Any]:
        body = {k: v for k, v in (("mode", mode), ("backup_reserve_percent", reserve)) if v is not None}
        return self._obj("POST", "operation", body)

    def reset(self) -> dict[str, Any]:
        return self._obj("POST", "reset")

    def fault(self, path: str, kind: str, **rule: Any) -> str:
        """Add a fault rule (see docs/faults.md for the kinds); returns its id."""
        return str(self._obj("POST", "faults", {"path": path, "kind": kind, **rule})["id"])

    def update_firmware(
        self,
        version: str,
        reboot_s: float = 120.0,
        *,
        allow_downgrade: bool = False,
        check_s: float | None = None,
        download_s: float | None = None,
        install_s: float | None = None,
        advance: bool = True,
        timeout_s: float = 60.0,
    ) -> dict[str, Any]:
        """Update the gateway to firmware ``version`` and return once it answers again, as that version.

        The update checks, downloads, installs and reboots for ``reboot_s`` simulated seconds (see
        docs/firmware-updates.md); every login session ends and clients must log in again. ``advance``
        (the default) jumps the clock through it -- the site lives through those minutes, as it would --
        so the call returns at once; ``advance=False`` waits in real time at the clock's speed, at most
        ``timeout_s`` (for a client polling through the reboot). Returns GET /_emulator/firmware's answer.
        """
        body: dict[str, Any] = {"version": version, "reboot_s": reboot_s, "allow_downgrade": allow_downgrade}
        for name, value in (("check_s", check_s), ("download_s", download_s), ("install_s", install_s)):
            if value is not None:
                body[name] = value
        update = self._obj("POST", "firmware", body)["update"]
        if advance:
            left = update["back_at_s"] - self.state()["sim_time_s"]
            if left > 0:
                self.advance(left)
        deadline = time.monotonic() + timeout_s
        while True:
            firmware = self._obj("GET", "firmware")
            if firmware["update"]["phase"] == "done":
                return firmware
            if time.monotonic() > deadline:
                phase = firmware["update"]["phase"]
                raise AssertionError(f"firmware {version}: still {phase} after {timeout_s:g} s (is the clock paused?)")
            time.sleep(0.02)

    def load_scenario(self, name: str) -> dict[str, Any]:
        """Become a bundled scenario's day: its site, start and initial state, its events armed."""
        return self._obj("POST", "scenario", {"name": name})

    # -- TEDAPI v1r's authorized clients (RSA keys) ------------------------------------
    def authorized_clients(self) -> list[dict[str, Any]]:
        """The authorized-client table: each key's fingerprint, state (pending, timed_out, verified), ..."""
        clients: list[dict[str, Any]] = self._obj("GET", "authorized_clients")["authorized_clients"]
        return clients

    def add_authorized_client(self, pem: str | bytes, state: str = "pending", description: str = "") -> dict[str, Any]:
        """Register a key (public or private PEM) as the cloud does: pending, or verified at once."""
        text = pem.decode("ascii") if isinstance(pem, bytes) else pem
        body = {"public_key": text, "state": state, **({"description": description} if description else {})}
        return self._obj("POST", "authorized_clients", body)

    def presence_proof(self) -> list[dict[str, Any]]:
        """Toggle the Powerwall 3's On/Off switch: every pending key still in its window becomes verified."""
        clients: list[dict[str, Any]] = self._obj("POST", "authorized_clients/presence_proof")["authorized_clients"]
        return clients

    def remove_authorized_client(self, fingerprint: str) -> list[dict[str, Any]]:
        clients: list[dict[str, Any]] = self._obj("DELETE", f"authorized_clients/{fingerprint}")["authorized_clients"]
        return clients

    def verified_key(self, slot: int = 0) -> bytes:
        """A private key PEM (RSA-4096, made once per process per ``slot``) this gateway accepts, verified.

        Write it to a file for a client that wants a path (pypowerwall's ``rsa_key_path``).
        """
        from emulator.testing.keys import private_key_pem

        pem = private_key_pem(slot)
        self.add_authorized_client(pem, "verified")
        return pem

    def clear_faults(self) -> None:
        self.control("DELETE", "faults")

    def rate_limits(self) -> dict[str, Any]:
        """The request limit and the login lockout, with who is limited now (docs/field-failures.md)."""
        return self._obj("GET", "rate_limits")

    def set_rate_limits(
        self, requests: dict[str, Any] | None = None, login: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Change the sections given (``requests={"enabled": True, "requests": 5, "window_s": 60}``,
        ``login={"cooldown_s": 1800}``); each starts counting afresh."""
        body = {k: v for k, v in (("requests", requests), ("login", login)) if v is not None}
        return self._obj("PUT", "rate_limits", body)

    def requests(
        self,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        since: int | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """The request journal, oldest first (``path`` may be a glob)."""
        query = {"method": method, "path": path, "status": status, "since": since, "limit": limit}
        entries: list[dict[str, Any]] = self._obj("GET", "requests", query=query)["requests"]
        return entries

    # -- verification ------------------------------------------------------------------
    def assert_requested(self, method: str, path: str, count: int | None = None) -> list[dict[str, Any]]:
        """Assert the gateway was asked ``method path`` (``path`` may be a glob), ``count`` times if given.

        On failure the message lists the near misses -- the same path with another method, or
        the same method on a similar path -- which is usually the bug (a trailing slash, GET for POST).
        Returns the matching journal entries.
        """
        entries = self.requests()
        method = method.upper()
        hits = [e for e in entries if e["method"] == method and fnmatch.fnmatchcase(e["path"], path)]
        if (count is None and hits) or (count is not None and len(hits) == count):
            return hits
        wanted = "at least once" if count is None else f"{count} time(s)"
        lines = [f"expected {method} {path} {wanted}, saw it {len(hits)} time(s)"]
        lines += [
            f"  near miss: {e['method']} {e['path']} -> {e['status']}" for e in _near_misses(entries, method, path)
        ]
        if len(lines) == 1:
            seen = sorted({f"{e['method']} {e['path']}" for e in entries})
            lines.append("  requests seen: " + (", ".join(seen[:20]) if seen else "none"))
        raise AssertionError("\n".join(lines))


def _near_misses(entries: list[dict[str, Any]], method: str, path: str) -> list[dict[str, Any]]:
    """The same path asked with another method, or the same method on a path that looks alike."""
    paths = sorted({e["path"] for e in entries})
    similar = set(difflib.get_close_matches(path, paths, n=5, cutoff=0.75))
    misses, seen = [], set()
    for e in entries:
        same_path = fnmatch.fnmatchcase(e["path"], path)
        near = (same_path and e["method"] != method) or (
            e["method"] == method and e["path"] in similar and not same_path
        )
        if near and (e["method"], e["path"]) not in seen:
            seen.add((e["method"], e["path"]))
            misses.append(e)
    return misses
