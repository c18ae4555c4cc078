"""The project's own tests, grouped by tier (see tests/README.md)."""
