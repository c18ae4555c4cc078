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
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        if argv is None:  # the process's own entry point: stop now, as SIGTERM does
            # Interpreter finalization after a served session takes ~1.5 s on a 2-core machine;
            # Ctrl-C must stop the emulator within 2 s, and nothing is left to clean up.
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(130)
        return 130


if __name__ == "__main__":
    sys.exit(main())
