"""Seeded, stateless noise: a pure function of (seed, channel, time).

Noise that depends only on sim time (not on how the time was stepped) keeps
the model deterministic whatever the request timing, and costs no state.
"""

from __future__ import annotations

_MASK = (1 << 64) - 1
_INV_2_64 = 1.0 / float(1 << 64)


def hash01(seed: int, channel: int, k: int) -> float:
    """A uniform value in [0, 1) for an integer lattice point (splitmix64 finaliser)."""
    z = (seed * 0x9E3779B97F4A7C15 + channel * 0xBF58476D1CE4E5B9 + k * 0x94D049BB133111EB) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    z ^= z >> 31
    return z * _INV_2_64


def smooth01(seed: int, channel: int, t: float, period_s: float) -> float:
    """Value noise in [0, 1): smooth interpolation between lattice points period_s apart."""
    x = t / period_s
    k = int(x // 1)
    f = x - k
    f = f * f * (3.0 - 2.0 * f)  # smoothstep, no kinks at lattice points
    a = hash01(seed, channel, k)
    b = hash01(seed, channel, k + 1)
    return a + (b - a) * f
