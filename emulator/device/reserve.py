"""The Tesla app hides the bottom 5 % of the battery: the one place that knows the scaling.

API (raw) = 0.95 x app + 5, which reproduces the seed's table
(app 5 -> 10, 20 -> 24, 21 -> 24.6 ~ 24.95, 30 -> 33 ~ 33.5, 100 -> 100).
"""

from __future__ import annotations


def app_to_api(app_pct: float) -> float:
    if not 0.0 <= app_pct <= 100.0:
        raise ValueError("app-scale percentage must be within 0..100")
    return 0.95 * app_pct + 5.0


def api_to_app(api_pct: float) -> float:
    """The app's view of an API-scale value (0 below the hidden 5 %)."""
    return max(0.0, (api_pct - 5.0) / 0.95)
