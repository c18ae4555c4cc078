"""Start to first answer: `teg-emulator serve` against a bare `uvicorn module:app`, each started the same way.

Method: both are the console scripts a user types, with their defaults and a free port
(``teg-emulator serve --firmware 1.15.0 --speed 60 --port P``, the README's command; ``uvicorn _bare_app:app --app-dir bench --port P``,
which on uvicorn[standard] serves on httptools + uvloop too), pinned to the same core. The clock runs from
``Popen`` to the first answer of ``GET /api/status``, polled every 2 ms. One unmeasured start of each
first (bytecode caches written, files in the page cache); then the two alternate, and the figure is the
median of the per-pair ratios (at least 9 pairs).

    python bench/bench_startup.py [--pairs 9] [--firmware 1.15.0] [--speed 60]
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import subprocess
import time

from _common import BIN, HERE, SERVER_CORE, SERVER_ENV, fetch, free_port, pinned


def first_answer_s(argv: list[str], port: int) -> float:
    began = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=SERVER_ENV)
    try:
        while True:
            try:
                fetch(f"http://127.0.0.1:{port}/api/status")
                return time.perf_counter() - began
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(f"{shlex.join(argv)} exited before answering") from None
                time.sleep(0.002)
    finally:
        proc.terminate()
        proc.wait()


def commands(port: int, firmware: str, speed: str) -> dict[str, list[str]]:
    """The README's command (`teg-emulator serve --firmware 1.15.0 --speed 60`) and uvicorn's, on port ``port``."""
    emulator = [str(BIN / "teg-emulator"), "serve", "--firmware", firmware, "--speed", speed, "--port", str(port)]
    bare = [str(BIN / "uvicorn"), "_bare_app:app", "--app-dir", str(HERE), "--port", str(port)]
    return {"bare": pinned(SERVER_CORE, bare), "emulator": pinned(SERVER_CORE, emulator)}


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=9)
    parser.add_argument("--firmware", default="1.15.0")
    parser.add_argument("--speed", default="60")
    args = parser.parse_args(argv)
    times: dict[str, list[float]] = {"bare": [], "emulator": []}
    ratios: list[float] = []
    for side in ("bare", "emulator"):  # warm: bytecode caches, page cache
        port = free_port()
        first_answer_s(commands(port, args.firmware, args.speed)[side], port)
    for _ in range(max(args.pairs, 9)):
        pair = {}
        for side in ("bare", "emulator"):
            port = free_port()
            pair[side] = first_answer_s(commands(port, args.firmware, args.speed)[side], port)
            times[side].append(pair[side])
        ratios.append(pair["emulator"] / pair["bare"])
    shown = commands(8080, args.firmware, args.speed)
    result = {
        "bare_ms": statistics.median(times["bare"]) * 1000,
        "emulator_ms": statistics.median(times["emulator"]) * 1000,
        "ratio": statistics.median(ratios),
        "pairs": len(ratios),
        "commands": {side: shlex.join(command) for side, command in shown.items()},
    }
    print(
        f"start to first answer ({result['pairs']} alternating pairs, medians): bare {result['bare_ms']:.0f} ms,"
        f" emulator {result['emulator_ms']:.0f} ms, ratio {result['ratio']:.2f}"
        f" (per-pair ratios {min(ratios):.2f}-{max(ratios):.2f})"
    )
    for side, command in result["commands"].items():  # type: ignore[attr-defined]
        print(f"    {side:8s} {command}  (then GET /api/status until it answers)")
    return result


if __name__ == "__main__":
    main()
