"""The container image: built from this checkout, it serves /api/status as a non-root user and reports healthy.

Needs a running Docker daemon and a base image (no registry can be reached here): see ENABLE.
Also: the container's entry point (TEG_* variables and $PORT -> flags), run without Docker.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.support.paths import ROOT
from tests.support.processes import printed, started

BASE = os.environ.get("TEG_DOCKER_BASE", "teg-emulator-base:bookworm")
ENABLE = (
    "to run it: apt-get install -y docker.io debootstrap; start dockerd; scripts/build-base-image.sh "
    "(a Debian python3 base from Debian's packages, ~3 min), or set TEG_DOCKER_BASE to any python3.11 image"
)


def docker(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def image() -> str:
    if shutil.which("docker") is None or docker("info", timeout=20).returncode != 0:
        pytest.skip(f"Docker is not running here; {ENABLE}")
    if docker("image", "inspect", BASE).returncode != 0:
        pytest.skip(f"no base image {BASE}; {ENABLE}")
    env = {**os.environ, "PYTHON": sys.executable}
    built = subprocess.run(
        ["bash", "scripts/build-image.sh", "teg-emulator:test", BASE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    return "teg-emulator:test"


@pytest.fixture
def container(image: str) -> Iterator[tuple[str, int]]:
    """The image run as Kubernetes would: configured only by TEG_* variables and $PORT (host network, loopback)."""
    port = free_port()
    env = ["-e", "TEG_HOST=127.0.0.1", "-e", f"PORT={port}", "-e", "TEG_FIRMWARE=24.4.0", "-e", "TEG_PAUSED=true"]
    started = docker("run", "-d", "--rm", "--network", "host", *env, image)
    assert started.returncode == 0, started.stderr
    cid = started.stdout.strip()
    try:
        yield cid, port
    finally:
        docker("rm", "-f", cid)


def test_the_image_serves_status_as_a_non_root_user_and_reports_healthy(container):
    cid, port = container
    deadline = time.monotonic() + 90
    health = ""
    while time.monotonic() < deadline and health != "healthy":
        time.sleep(1)
        state = json.loads(docker("inspect", cid).stdout)[0]["State"]
        assert state["Running"], docker("logs", cid).stderr
        health = state.get("Health", {}).get("Status", "")
    assert health == "healthy", docker("logs", cid).stdout
    status = httpx.get(f"https://127.0.0.1:{port}/api/status", verify=False).json()
    assert status["version"].startswith("24.4.0") and status["din"].endswith("--T123456789")
    assert docker("exec", cid, "id", "-u").stdout.strip() != "0"
    assert f"listening on https://127.0.0.1:{port}/" in docker("logs", cid).stdout


@contextmanager
def entry(env: dict[str, str], *flags: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """The image's ENTRYPOINT (python -m emulator.cli.container) with a clean TEG_* environment.

    Yields the process and its fleet listing's URL, or "" once it has exited without printing one.
    """
    base = {k: v for k, v in os.environ.items() if not k.startswith("TEG_")}
    argv = [sys.executable, "-m", "emulator.cli.container", *flags]
    with started(argv, env={**base, "PYTHONPATH": str(ROOT), **env}, stderr=subprocess.PIPE) as proc:
        listing = printed(proc, r"list: (\S+)") or ""
        if not listing:
            proc.wait(timeout=10)
        yield proc, listing


def test_the_entry_point_takes_the_shard_from_the_stateful_set_pod_name():
    env = {"TEG_HOST": "127.0.0.1", "PORT": "0", "TEG_GATEWAYS": "5", "TEG_SHARDS": "2", "HOSTNAME": "teg-emulator-1"}
    env |= {"TEG_FLEET_MODE": "host", "TEG_PAUSED": "true", "TEG_TLS": "false", "TEG_FIRMWARE": "1.15.0"}
    with entry(env, "--seed", "3") as (proc, listing):
        assert listing, proc.stderr.read() if proc.stderr else ""
        members = httpx.get(listing).json()["gateways"]
        assert [m["index"] for m in members] == [3, 4, 5]
        assert [m["serial"] for m in members] == [f"T123456789{i:03d}" for i in (3, 4, 5)]


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"TEG_SHARDS": "2", "HOSTNAME": "laptop"}, "StatefulSet pod name"),
        ({"TEG_GATEWAYZ": "2"}, "unrecognized arguments: --gatewayz"),
        ({"PORT": "http"}, "--port"),
    ],
)
def test_the_entry_point_refuses_a_bad_variable_in_one_line(env, says):
    with entry({"TEG_HOST": "127.0.0.1", "PORT": "0", **env}) as (proc, listing):
        assert listing == "" and proc.returncode == 2
        assert proc.stderr is not None
        err = proc.stderr.read()
    assert says in err and len(err.strip().splitlines()) == 1
