"""Tests of the contract suite itself: it passes on the emulator and fails, on the right check, on each mutant."""
