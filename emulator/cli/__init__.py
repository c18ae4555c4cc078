"""`teg-emulator`: parse flags, build objects, start things. No logic lives here."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from emulator._version import __version__
from emulator.cli import fleet, record, scenario, serve, verify


class _Parser(argparse.ArgumentParser):
    """Bad flags get one line on stderr and exit code 2, not a usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


SUBCOMMANDS = (serve, scenario, verify, record, fleet)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="teg-emulator",
        description="A stateful emulator of the Tesla Energy Gateway local API.",
    )
    parser.add_argument("--version", action="version", version=f"teg-emulator {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # `serve --workers` starts workers with the same flags
    try:
        code = int(args.run(args) or 0)
    except KeyboardInterrupt:
        code = 130
        args.interrupted = True
    if argv is None and getattr(args, "interrupted", False):  # Ctrl-C, in the process's own entry point
        # Stop now, as SIGTERM does: interpreter finalization takes ~1.5 s on a loaded 2-core machine
        # (more for a served session); Ctrl-C must stop any command within 2 s, and nothing is left to
        # clean up (`record` has closed its file and says so; a request it abandoned goes with the process).
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


if __name__ == "__main__":
    sys.exit(main())
