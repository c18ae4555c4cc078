"""The protobuf varint, by hand: the one piece of wire encoding the v1r signer and the contract suite share.

Both write their messages field by field (the suite so that it judges the gateway with bytes it made itself,
not with the emulator's generated classes); the base-128 varint under every field key and length is the same
for both, so it is written once, here.
"""

from __future__ import annotations


def varint(value: int) -> bytes:
    """``value`` (not negative) as a protobuf base-128 varint: seven bits a byte, low first, high bit = more."""
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)
