"""Regenerate (or, with ``--check``, verify) the generated protobuf code for the TEDAPI wire formats.

The generated ``*_pb2.py`` files (the envelope both doors carry, and v1r's signed outer message) are
committed so the emulator needs only the ``protobuf`` runtime; protoc (from grpcio-tools) is a
development tool. A test runs ``--check`` so the committed code can never drift from ``proto/*.proto``.

    python -m emulator.tedapi.regenerate          # rewrite the generated files
    python -m emulator.tedapi.regenerate --check  # exit 1 if they are stale
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROTOS = (HERE / "proto" / "teg_emulator_tedapi.proto", HERE / "proto" / "teg_emulator_v1r.proto")
OUTPUTS = tuple(f"{proto.stem}_pb2{suffix}" for proto in PROTOS for suffix in (".py", ".pyi"))


def generate(into: Path) -> None:
    from grpc_tools import protoc  # a development dependency (the test extra)

    for proto in PROTOS:
        args = ["protoc", f"-I{proto.parent}", f"--python_out={into}", f"--pyi_out={into}", str(proto)]
        if protoc.main(args) != 0:
            raise RuntimeError(f"protoc failed on {proto}")


def stale() -> list[str]:
    """The generated files that differ from what protoc makes of the .proto now."""
    with tempfile.TemporaryDirectory() as folder:
        generate(Path(folder))
        return [
            name
            for name in OUTPUTS
            if not (HERE / name).exists() or (Path(folder) / name).read_bytes() != (HERE / name).read_bytes()
        ]


def main(argv: list[str]) -> int:
    if argv == ["--check"]:
        names = stale()
        for name in names:
            print(f"{name} is stale: run python -m emulator.tedapi.regenerate", file=sys.stderr)
        return 1 if names else 0
    if argv:
        print("usage: python -m emulator.tedapi.regenerate [--check]", file=sys.stderr)
        return 2
    generate(HERE)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
