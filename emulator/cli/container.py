"""The container's entry point: `teg-emulator serve`, configured by TEG_* variables and $PORT.

Why a translation and not a second configuration system: every TEG_NAME=value becomes the
flag --name value (TEG_GATEWAYS=200 -> --gateways 200; "true" -> a bare switch such as
--paused; "false" -> left out), so the flags stay the one place that validates, and an unknown
variable is refused like an unknown flag. Flags given to the container come after, so they win.

Kubernetes: TEG_SHARDS=K makes the pod shard k of K, k from TEG_SHARD_INDEX (the downward API's
``apps.kubernetes.io/pod-index`` label) or else the StatefulSet ordinal at the end of $HOSTNAME.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence

from emulator.cli import main as cli_main

PREFIX = "TEG_"
NOT_FLAGS = {"TEG_HOST", "TEG_SHARDS", "TEG_SHARD_INDEX"}


def shard_index(environ: Mapping[str, str]) -> str:
    """The pod's ordinal: TEG_SHARD_INDEX, or the digits after the last '-' of the StatefulSet pod's name."""
    if environ.get("TEG_SHARD_INDEX"):
        return environ["TEG_SHARD_INDEX"]
    match = re.search(r"-(\d+)$", environ.get("HOSTNAME", ""))
    if match is None:
        raise ValueError("TEG_SHARDS needs TEG_SHARD_INDEX or a StatefulSet pod name (ending in -N) in HOSTNAME")
    return match.group(1)


def argv_from(environ: Mapping[str, str], extra: Sequence[str] = ()) -> list[str]:
    """The `teg-emulator` command line this environment means (every address by default: it is a container)."""
    argv = ["serve", "--host", environ.get("TEG_HOST", "0.0.0.0"), "--port", environ.get("PORT", "8080")]
    if environ.get("TEG_SHARDS"):
        argv += ["--shard", f"{shard_index(environ)}/{environ['TEG_SHARDS']}"]
    for name in sorted(environ):
        if not name.startswith(PREFIX) or name in NOT_FLAGS:
            continue
        flag, value = "--" + name[len(PREFIX) :].lower().replace("_", "-"), environ[name]
        if value.lower() == "true":
            argv.append(flag)
        elif value.lower() != "false":
            argv += [flag, value]
    return [*argv, *extra]


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    try:
        command = argv_from(os.environ if environ is None else environ, sys.argv[1:] if argv is None else argv)
    except ValueError as exc:
        print(f"teg-emulator: error: {exc}", file=sys.stderr)
        return 2
    return cli_main(command)


if __name__ == "__main__":
    sys.exit(main())
