"""The package version, in one place: hatch reads it for the wheel, ``emulator.__version__`` re-exports it."""

__version__ = "0.2.0"
