"""`teg-emulator serve` as typed: a firmware update turns its one port from plain HTTP (1.15.0) into HTTPS
(21.44.1), and back with a downgrade."""

from __future__ import annotations

import http.client
import json
import os
import ssl
import sys
import urllib.request

from tests.support.paths import ROOT
from tests.support.processes import found, started

CLI = [sys.executable, "-m", "emulator.cli"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
QUICK = {"check_s": 1, "download_s": 1, "install_s": 1, "reboot_s": 1}


def control(url: str, path: str, body: dict | None = None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{url}/_emulator/{path}", data, {"content-type": "application/json"})
    with urllib.request.urlopen(
        request, context=_insecure() if url.startswith("https") else None, timeout=10
    ) as answer:
        result: dict = json.loads(answer.read())
        return result


def test_serve_switches_its_port_from_http_to_https_and_back():
    with started([*CLI, "serve", "--firmware", "1.15.0", "--port", "0", "--speed", "0"], env=ENV) as proc:
        assert proc.stdout is not None
        url = found(r"http://[^ ]+/", proc.stdout.readline()).rstrip("/")
        port = int(url.rsplit(":", 1)[1])
        assert control(url, "state")["firmware"] == "1.15.0"

        control(url, "firmware", {"version": "21.44.1", **QUICK})
        control(url, "clock", {"advance_s": 10})
        https = url.replace("http://", "https://")
        assert control(https, "firmware")["update"]["phase"] == "done"
        with urllib.request.urlopen(f"{https}/api/status", context=_insecure(), timeout=10) as answer:
            assert json.loads(answer.read())["version"].startswith("21.44.1")
        plain = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            plain.request("GET", "/api/status")
            try:
                plain.getresponse()
                answered = True
            except (http.client.HTTPException, OSError):  # the port speaks TLS now: no plain answer
                answered = False
            assert not answered
        finally:
            plain.close()

        control(https, "firmware", {"version": "1.15.0", "allow_downgrade": True, **QUICK})
        control(https, "clock", {"advance_s": 10})
        assert control(url, "state")["firmware"] == "1.15.0"  # plain HTTP again


def _insecure() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    return context
