"""`teg-emulator`: parse flags, build objects, start things. No logic lives here."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from emulator._version import __version__
from emulator.cli import startup


class _Parser(argparse.ArgumentParser):
    """Bad flags get one line on stderr and exit code 2, not a usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


COMMANDS = ("serve", "scenario", "verify", "record", "fleet")  # modules of emulator.cli, in the order --help lists


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; or, given the command being run, only its parser (the others are not imported).

    ``serve`` parses the same either way (its flags, its usage line, its errors); building only it keeps the
    other commands' modules and flags out of a server's start.
    """
    parser = _Parser(
        prog="teg-emulator",
        description="A stateful emulator of the Tesla Energy Gateway local API.",
    )
    parser.add_argument("--version", action="version", version=f"teg-emulator {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")
    for name in COMMANDS:
        if command in (None, name) or command not in COMMANDS:
            # imported here, after startup.begin() in main(): they are most of what a start imports
            importlib.import_module(f"emulator.cli.{name}").add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    startup.begin()  # before the imports
    try:
        given = list(sys.argv[1:] if argv is None else argv)
        args = build_parser(given[0] if given else None).parse_args(given)
        if args.command != "serve":  # a server says when its start is over: startup.ready(serving=True)
            startup.ready()
        args.argv = given  # `serve --workers` starts workers with the same flags
        try:
            code = int(args.run(args) or 0)
        except KeyboardInterrupt:
            code = 130
            args.interrupted = True
    finally:
        startup.ready()
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
