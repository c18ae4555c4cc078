"""`teg-emulator serve --session-lifetime / --rate-limit / --rate-limit-cooldown / --login-cooldown`, as typed."""

from __future__ import annotations

import json
import re
import subprocess

import httpx
import pytest

from emulator.cli import main
from tests.e2e.test_cli import CLI, ENV
from tests.support.processes import started


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--session-lifetime", "0"], "argument --session-lifetime: 0 must be from 1s to 365d"),
        (["--session-lifetime", "soon"], "argument --session-lifetime: 'soon' is not a duration"),
        (["--rate-limit", "5"], "argument --rate-limit: '5' is not a rate such as 60/1m"),
        (["--rate-limit", "0/1m"], "argument --rate-limit: a rate limit needs 1 to 1000000 requests"),
        (["--rate-limit", "9" * 5000 + "/1m"], "is not a rate such as 60/1m"),
        (["--rate-limit", "5/0s"], "a window of more than 0 s"),
        (["--rate-limit-cooldown", "2d"], "argument --rate-limit-cooldown: 2d must be from 0s to 1d"),
        (["--login-cooldown", "-1"], "argument --login-cooldown: '-1' is not a duration"),
    ],
)
def test_bad_limit_flags_are_one_line_and_exit_2(capsys, args, message):
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--port", "0", *args])
    err = capsys.readouterr().err
    assert exited.value.code == 2 and message in err and len(err.splitlines()) == 1, err


def test_on_needs_a_firmware_that_states_a_limit():
    done = subprocess.run(
        [*CLI, "serve", "--firmware", "1.15.0", "--port", "0", "--rate-limit", "on"],
        capture_output=True,
        text=True,
        timeout=60,
        env=ENV,
    )
    assert done.returncode == 2
    assert done.stderr == "teg-emulator: error: firmware 1.15.0 states no request rate limit: give one, such as 60/1m\n"


def test_serve_takes_the_lifetime_and_limits_and_says_the_limit_is_on():
    flags = ["--session-lifetime", "90m", "--rate-limit", "3/1m", "--rate-limit-cooldown", "30m"]
    flags += ["--login-cooldown", "30m", "--speed", "0"]
    with started([*CLI, "serve", "--firmware", "24.4.0", "--port", "0", *flags], env=ENV) as proc:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(5)]
        url = re.search(r"(https://\S+?)/?$", lines[0].strip()).group(1)  # type: ignore[union-attr]
        assert lines[4].strip() == (
            f"rate limit:     3 requests per 1m per client and endpoint, then 429 for 30m ({url}/_emulator/rate_limits)"
        )
        with httpx.Client(base_url=url, verify=False, timeout=10) as http:
            assert http.get("/_emulator/state").json()["session_lifetime_s"] == 5400
            assert [http.get("/api/status").status_code for _ in range(4)] == [200, 200, 200, 429]
            limits = http.get("/_emulator/rate_limits").json()
            assert limits["requests"]["limited"] == [{"client": "127.0.0.1", "endpoint": "/api/status", "for_s": 1800}]
            assert limits["login"]["cooldown_s"] == 1800
            answer = http.get("/api/status")
            assert json.loads(answer.content)["error"] == "Api Limit reached for this endpoint"
