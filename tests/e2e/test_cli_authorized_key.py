"""`teg-emulator serve --authorized-key FILE` as typed: each key starts verified; a file it cannot use is exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from emulator.testing.keys import fingerprint_of, private_key_pem, public_key_pem
from tests.support.processes import printed, started

CLI = [sys.executable, "-m", "emulator.cli"]
FIRST, SECOND = 0, 2  # key slots


def test_serve_authorized_key_starts_each_key_verified(tmp_path: Path) -> None:
    private, public = tmp_path / "private.pem", tmp_path / "public.pem"
    private.write_bytes(private_key_pem(FIRST))
    public.write_bytes(public_key_pem(private_key_pem(SECOND)))
    argv = [*CLI, "serve", "--port", "0", "--firmware", "25.10.1", "--no-tls"]
    with started([*argv, "--authorized-key", str(private), "--authorized-key", str(public)]) as proc:
        url = printed(proc, r"listening on (http://\S+)/")
        assert url is not None
        banner = printed(proc, r"(TEDAPI v1r: .*)")
        assert banner is not None and "2 authorized key(s)" in banner
        clients = httpx.get(url + "/_emulator/authorized_clients", timeout=10).json()["authorized_clients"]
    assert [(c["fingerprint"], c["state"]) for c in clients] == [
        (fingerprint_of(private_key_pem(FIRST)), "verified"),
        (fingerprint_of(private_key_pem(SECOND)), "verified"),
    ]


@pytest.mark.parametrize(
    "content", [None, b"not a key", b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"]
)
def test_serve_refuses_a_key_file_it_cannot_use_with_exit_2(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "key.pem"
    if content is not None:
        path.write_bytes(content)
    done = subprocess.run(
        [*CLI, "serve", "--port", "0", "--firmware", "25.10.1", "--authorized-key", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--authorized-key" in done.stderr and "Traceback" not in done.stderr
    assert str(path) in done.stderr
