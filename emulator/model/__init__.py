"""The site: Powerwalls, PV, household load and grid, as a pure deterministic model.

No I/O, no wall clock: advance it with explicit times. See :class:`SiteModel`.
"""

from emulator.model.config import SiteConfig
from emulator.model.site import SiteModel, initial_state
from emulator.model.state import (
    AUTONOMOUS,
    BACKUP,
    BATTERY_OK,
    EXPORT_RULES,
    NEVER,
    OPERATION_MODES,
    PV_ONLY,
    SCHEDULER,
    SELF_CONSUMPTION,
    SITE_CONTROL,
    Controls,
    CounterReading,
    Counters,
    Flows,
    SiteState,
    StateReading,
)
from emulator.model.tariff import SCE_TOU, Tariff, TariffPeriod

__all__ = [
    "AUTONOMOUS",
    "BACKUP",
    "BATTERY_OK",
    "EXPORT_RULES",
    "NEVER",
    "PV_ONLY",
    "OPERATION_MODES",
    "SCE_TOU",
    "SCHEDULER",
    "SELF_CONSUMPTION",
    "SITE_CONTROL",
    "Controls",
    "CounterReading",
    "Counters",
    "Flows",
    "SiteConfig",
    "SiteModel",
    "SiteState",
    "StateReading",
    "Tariff",
    "TariffPeriod",
    "initial_state",
]
