"""Regenerate emulator/firmware/vitals/vitals_pb2.py from vitals.proto.

The generated modules are committed so the emulator needs only the protobuf
runtime; tests/http/test_vitals.py runs this into a temporary folder and checks the
committed file is what it writes. Needs grpcio-tools (the `test` extra). No .pyi:
protobuf ships no type stubs, so mypy sees the messages as Any either way.

    python scripts/regen_vitals_proto.py            # rewrite the committed files
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROTO = Path("emulator/firmware/vitals/vitals.proto")  # relative to ROOT: also the descriptor's registered name


def generate(out_dir: Path) -> Path:
    """Compile the proto into out_dir; return the generated module's path."""
    from grpc_tools import protoc  # type: ignore[import-untyped]

    include = resources.files("grpc_tools") / "_proto"
    args = [
        "protoc",
        f"-I{ROOT}",
        f"-I{include}",
        f"--python_out={out_dir}",
        str(PROTO),
    ]
    if protoc.main(args) != 0:
        raise RuntimeError(f"protoc failed on {PROTO}")
    return out_dir / PROTO.parent / (PROTO.stem + "_pb2.py")


def main() -> int:
    print(f"regenerated {generate(ROOT).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
