"""A TEDAPI v1r read against the Wi-Fi TEDAPI's read of the same request, on the same server: what signing costs.

Method: one ``teg-emulator serve --firmware 25.10.1`` (HTTPS, the self-signed certificate of bench_throughput,
the owner's RSA-4096 key given with ``--authorized-key``) runs pinned to one core (``taskset -c 0``); ``wrk -t1
-c32`` pinned to the other (``taskset -c 1``) POSTs the same request both ways, alternating, 3 pairs:

* ``/tedapi/v1``: the Frame pypowerwall sends, with its HTTP Basic header (the gateway password);
* ``/tedapi/v1r``: the same envelope, bare, in a RoutableMessage signed with the RSA-4096 key, as aiopowerwall
  sends it -- so every request costs the gateway an RSA-4096 PKCS#1 v1.5 / SHA-512 verification. The body is
  signed just before each run, for 50 s (the gateway takes up to 60 s ahead): wrk sends the same bytes for the
  whole run, which a gateway without a replay cache answers each time, as the emulator does.

Each figure is the median over the pairs of the per-pair ratio v1r / v1: the server's CPU time per request (from
/proc, user + system; the cost, barely moved by other load) and req/s and p50 (moved by it). Target (issue 21):
a v1r read costs at most 1.5x the v1 read of the same request.

    python bench/bench_v1r.py [--seconds 5] [--pairs 3] [--case status|config|info ...]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import BIN, LOAD_CORE, PINNED, SERVER_CORE, fetch, free_port, pinned, started, wait_until_answering
from _common import wrk as run_wrk
from bench_throughput import certificate

GW_PASSWORD = "BENCHGWPWD"
TTL_S = 50  # how long each run's signature lives: a warm-up and a run, with room to spare


def cases() -> dict[str, tuple[int, bytes]]:
    """The reads both doors answer, as (envelope field, body): pypowerwall's status query, config.json, system info."""
    from contract_tests import tedapi
    from emulator.contract.signed_query import status_query

    found = {"info": tedapi.system_info_body(), "config": tedapi.config_body()}
    query = status_query()
    if query is not None:
        found["status"] = tedapi.query_body(query)
    return found


def bodies(case: tuple[int, bytes], din: str, key_pem: bytes) -> dict[str, bytes]:
    """The request through each door: a Frame for /tedapi/v1, the same envelope, bare and signed, for /tedapi/v1r."""
    from contract_tests import tedapi
    from emulator.contract.v1r import signed_message, signing_key

    envelope = tedapi.envelope(din, *case)
    expires = int(time.time()) + TTL_S
    signed = signed_message(signing_key(key_pem), din, envelope, expires_at=expires)
    return {"v1": tedapi.frame(din, *case), "v1r": signed}


def answered(body: bytes, name: str) -> None:
    """Exit unless ``body`` is a v1r answer carrying an envelope: a refusal is 200 too, and wrk counts only status."""
    from contract_tests.tedapi import fields
    from emulator.contract.v1r import MESSAGE_FAULT, PAYLOAD, STATUS, fault_name

    found = fields(body)
    status = found.get(STATUS, [b""])[-1]
    fault = fields(status).get(MESSAGE_FAULT, [0])[-1] if isinstance(status, bytes) else 0
    if fault or not found.get(PAYLOAD):
        sys.exit(f"{name}: the server refused the signed request ({fault_name(int(fault))}): nothing to measure")


def verify_us(key_pem: bytes, rounds: int = 300) -> float:
    """One RSA-4096 PKCS#1 v1.5 / SHA-512 verification in this process, pinned to the server's core: the least a
    v1r request can cost beyond the same v1 request."""
    import os

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    from emulator.contract.v1r import personalization, signing_key

    key = signing_key(key_pem)
    data = personalization("1707000-11-J--TG0123456789AB", int(time.time()), bytes(7000))
    signature, public = key.sign(data), key.private.public_key()
    allowed = os.sched_getaffinity(0)
    if PINNED:
        os.sched_setaffinity(0, {int(SERVER_CORE)})
    samples = []
    try:
        for _ in range(3):
            began = time.process_time()
            for _ in range(rounds):
                public.verify(signature, data, padding.PKCS1v15(), hashes.SHA512())
            samples.append((time.process_time() - began) / rounds * 1e6)
    finally:
        os.sched_setaffinity(0, allowed)
    return statistics.median(samples)


def server_argv(port: int, key_file: str, tls: tuple[str, str]) -> list[str]:
    argv = [str(BIN / "teg-emulator"), "serve", "--port", str(port), "--firmware", "25.10.1", "--speed", "60"]
    argv += ["--gw-password", GW_PASSWORD, "--authorized-key", key_file, "--cert", tls[0], "--key", tls[1]]
    return pinned(SERVER_CORE, argv)


def run_case(name: str, case: tuple[int, bytes], seconds: int, pairs: int, key_pem: bytes) -> dict[str, object]:
    from contract_tests.tedapi import basic_auth

    folder = tempfile.mkdtemp(prefix="bench-v1r-")
    try:
        key_file = str(Path(folder) / "key.pem")
        Path(key_file).write_bytes(key_pem)
        port = free_port()
        base = f"https://127.0.0.1:{port}"
        headers = {
            "v1": {**basic_auth(GW_PASSWORD), "Content-Type": "application/octet-stream"},
            "v1r": {"Content-Type": "application/octet-stream"},
        }
        argv = server_argv(port, key_file, certificate())
        rows, commands = [], {}
        with started(argv) as proc:
            wait_until_answering(base + "/api/meters/aggregates", proc)
            din = fetch(base + "/tedapi/din", headers=basic_auth(GW_PASSWORD))[0].decode().strip()
            answered(fetch(base + "/tedapi/v1r", bodies(case, din, key_pem)["v1r"], headers["v1r"])[0], name)
            for _ in range(pairs):
                pair = {}
                for door in ("v1", "v1r"):
                    body = bodies(case, din, key_pem)[door]  # signed afresh for each run
                    pair[door] = run_wrk(f"{base}/tedapi/{door}", seconds, headers[door], proc.pid, body=body)
                    commands[door] = pair[door]["command"]
                rows.append(
                    {
                        "v1_rps": pair["v1"]["rps"],
                        "v1r_rps": pair["v1r"]["rps"],
                        "v1_cpu_us": pair["v1"]["cpu_us"],
                        "v1r_cpu_us": pair["v1r"]["cpu_us"],
                        "cost_ratio": pair["v1r"]["cpu_us"] / pair["v1"]["cpu_us"],
                        "rps_ratio": pair["v1r"]["rps"] / pair["v1"]["rps"],
                        "p50_ratio": pair["v1r"]["p50_ms"] / pair["v1"]["p50_ms"],
                    }
                )
        result: dict[str, object] = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
        result["commands"] = {"server": " ".join(argv) + " &", **commands}
        return result
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--case", action="append", choices=("status", "config", "info"), help="default: all")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        sys.exit("bench_v1r needs wrk: apt-get install wrk")
    if args.seconds + 2 >= TTL_S:
        sys.exit(f"--seconds must be under {TTL_S - 2}: one signature serves a whole run")
    from emulator.testing.keys import private_key_pem

    if PINNED:
        print(f"server pinned to core {SERVER_CORE}, wrk to core {LOAD_CORE} (taskset)")
    else:
        print("WARNING: one core only: server and wrk share it; read the CPU ratio, not the req/s")
    print("ratios are v1r/v1 from alternating runs on one server (median of pairs); target: cost <= 1.5")
    key_pem = private_key_pem(0)  # RSA-4096, as `pypowerwall register` makes
    results: dict[str, object] = {"verify_us": verify_us(key_pem)}
    print(f"RSA-4096 verification alone: {results['verify_us']:.0f} us (in-process): the least v1r adds to a read")
    for name, case in cases().items():
        if args.case and name not in args.case:
            continue
        r = run_case(name, case, args.seconds, args.pairs, key_pem)
        results[name] = r
        print(
            f"{name:7s} v1 {r['v1_rps']:7.0f} req/s {r['v1_cpu_us']:5.0f} us/request"
            f"  v1r {r['v1r_rps']:7.0f} req/s {r['v1r_cpu_us']:5.0f} us/request"
            f"  cost ratio {r['cost_ratio']:.2f}  req/s ratio {r['rps_ratio']:.2f}  p50 ratio {r['p50_ratio']:.2f}",
            flush=True,
        )
        for what, command in r["commands"].items():  # type: ignore[attr-defined]
            print(f"    {what:6s} {command}")
    return results


if __name__ == "__main__":
    main()
