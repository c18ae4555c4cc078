"""The gateway as a device: sitemaster, grid state machine, sessions, timers, firmware updates, and the clock that drives them."""
