"""The wheel as a user gets it: built, installed into a fresh venv, then used -- CLI, a served read, the fixture.

No network: the wheel is built with --no-isolation (hatchling from this venv) and installed with
--no-deps --no-index; the fresh venv reaches this venv's dependencies through a path file (whose
directory's own .pth files, including this checkout's editable install, are not processed). Every
command runs outside the checkout with PYTHONPATH unset, and the tests check that ``emulator``
really comes from the installed wheel.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import httpx
import pytest

from tests.support.paths import ROOT
from tests.support.processes import started


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTEST_ADDOPTS")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding only the built wheel (its bin directory)."""
    pytest.importorskip("build", reason="the [test] extra brings `build`; pip install -e '.[test]'")
    pytest.importorskip("hatchling", reason="the [test] extra brings `hatchling`; pip install -e '.[test]'")
    work = tmp_path_factory.mktemp("wheel")
    dist = work / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--wheel", "--outdir", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
        env=_env(),
        timeout=120,
    )
    (wheel,) = dist.glob("teg_emulator-*.whl")
    target = work / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    python = target / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
    ).stdout.strip()
    Path(site, "deps-from-test-venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel)],
        check=True,
        capture_output=True,
        env=_env(),
        timeout=120,
    )
    return target / "bin"


def _run(args: list[str], cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=_env(), timeout=timeout)


def test_the_installed_wheel_reports_its_version_and_is_the_emulator_imported(installed, tmp_path):
    version = _run([str(installed / "teg-emulator"), "--version"], tmp_path)
    assert version.returncode == 0 and re.fullmatch(r"teg-emulator \d+\.\d+\.\d+\n", version.stdout)
    where = _run(
        [str(installed / "python"), "-c", "import emulator; print(emulator.__version__, emulator.__file__)"], tmp_path
    )
    number, path = where.stdout.split()
    assert version.stdout.split()[1] == number and Path(path).is_relative_to(installed.parent)
    assert _run([str(installed / "python"), "-m", "emulator", "--version"], tmp_path).stdout == version.stdout


def test_the_installed_wheel_serves_a_read(installed, tmp_path):
    argv = [str(installed / "teg-emulator"), "serve", "--port", "0", "--firmware", "1.15.0", "--speed", "0"]
    with started(argv, cwd=tmp_path, stderr=subprocess.PIPE, env=_env()) as server:
        assert server.stdout is not None
        banner = server.stdout.readline()
        url = re.search(r"listening on (http://127\.0\.0\.1:\d+)/", banner)
        assert url, banner + (server.stderr.read() if server.poll() is not None and server.stderr else "")
        body = httpx.get(url.group(1) + "/api/system_status/soe", timeout=10).json()
        assert body["percentage"] == pytest.approx(69.17, abs=0.01)


def test_the_installed_wheels_fixture_serves_24_4_over_https(installed, tmp_path):
    (tmp_path / "test_user.py").write_text(
        "import emulator, httpx, pytest\n\n"
        "@pytest.mark.teg_emulator\n"
        "def test_a_user_test(teg_emulator):\n"
        "    assert teg_emulator.url.startswith('https://') and teg_emulator.firmware == '24.4.0'\n"
        "    assert httpx.get(teg_emulator.url + '/api/status', verify=False).status_code == 200\n"
        f"    assert emulator.__file__.startswith({str(installed.parent)!r})\n"
    )
    result = _run([str(installed / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_user.py"], tmp_path)
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout + result.stderr
