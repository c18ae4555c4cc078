"""The gateway as a state machine: any sequence of actions keeps its invariants."""

from __future__ import annotations

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from emulator.device import commands, direct_control
from emulator.device.errors import GatewayError
from emulator.device.factory import EmulatorOptions, build_gateway
from emulator.model import OPERATION_MODES
from emulator.model.state import CounterReading, Counters


class Time:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class GatewayMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.time = Time()
        self.gw = build_gateway(EmulatorOptions(firmware="1.15.0", paused=True, seed=3), monotonic=self.time)
        self.tokens: list[tuple[str, float]] = []  # (token, login time)
        self.last_counters: CounterReading | Counters = self.gw.snapshot().state.counters

    @rule()
    def login(self):
        session = commands.login(self.gw, "", self.gw.password, None)
        self.tokens.append((session.token, session.login_time))
        assert not self.gw.sitemaster_running  # 1.15: a login stops sitemaster

    @rule()
    def logout(self):
        if self.tokens:
            token, _ = self.tokens.pop()
            self.gw.logins.logout(token)
            assert self.gw.authenticate(token) is None

    @rule()
    def run(self):
        commands.run_sitemaster(self.gw)

    @rule()
    def stop(self):
        commands.stop_sitemaster(self.gw)

    @rule(up=st.booleans())
    def grid(self, up):
        direct_control.set_utility_grid(self.gw, up)

    @rule(mode=st.sampled_from(OPERATION_MODES), reserve=st.floats(0, 100))
    def set_operation(self, mode, reserve):
        commands.set_operation(self.gw, mode, reserve)
        assert commands.visible_operation(self.gw).mode == mode

    @rule()
    def commit(self):
        staged = self.gw.staged_operation
        commands.commit_config(self.gw)
        if staged is not None:
            assert self.gw.operation == staged

    @rule(seconds=st.floats(0, 6 * 3600))
    def advance(self, seconds):
        self.gw.clock.advance(seconds)

    @invariant()
    def readings_obey_the_laws(self):
        snap = self.gw.snapshot()
        f = snap.flows
        assert f.load_w == pytest.approx(f.site_w + f.battery_w + f.solar_w, abs=1e-6)
        assert 0 <= snap.soe_pct <= 100
        if not snap.sitemaster_running:
            assert f.battery_w == 0
            with pytest.raises(GatewayError) as err:
                self.gw.live_snapshot()
            assert err.value.status == 502
        if snap.grid_status != "SystemGridConnected":
            assert f.site_w == 0
        counters = snap.state.counters
        assert counters.site_imported_wh >= self.last_counters.site_imported_wh
        assert counters.load_imported_wh >= self.last_counters.load_imported_wh
        self.last_counters = self.gw.model.snapshot_state().counters
        lifetime_s, now = self.gw.logins.lifetime_s, self.gw.clock.now()
        for token, login_time in self.tokens:  # 1.15.0 ends a session after a day (its facts)
            assert (self.gw.authenticate(token) is not None) == (now < login_time + lifetime_s)
        self.tokens = [(token, at) for token, at in self.tokens if now < at + lifetime_s]


GatewayMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)
test_gateway_state_machine = GatewayMachine.TestCase
