"""Where the tests find the checkout: one answer, whichever tier folder a test lives in."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # tests/support/paths.py -> the repository
README = ROOT / "README.md"
