"""The emulator's own control API: state, clock, faults, the request journal and scenarios."""
