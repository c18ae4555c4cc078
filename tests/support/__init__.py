"""Helpers shared by the tiers (no tests here)."""
