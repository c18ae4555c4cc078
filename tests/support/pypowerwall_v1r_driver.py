"""Drive pypowerwall 0.22.2, unmodified, in v1r mode (mode 5: RSA-signed TEDAPI on the LAN); run in a subprocess.

Its own process because pypowerwall keeps global state (caches, cooldowns, logging, one-shot warnings)
and because REQUESTS_CA_BUNDLE, set on these machines, overrides its ``verify=False``: the test clears it
in this process's environment only.

    python pypowerwall_v1r_driver.py HOST GW_PASSWORD RSA_KEY_PATH

Each line read on stdin is a JSON list of calls, ``[["level"], ["set_reserve", 40]]``; each answers one
JSON line: ``{"results": [...], "warnings": [...], "logs": [...]}``, the warnings pypowerwall raised since
the last answer (its UserWarnings for an unknown or unverified key; the first answer's include
connecting's), and the lines it logged at WARNING or above (how it reports a fault or a refused command).
"""

from __future__ import annotations

import json
import logging
import sys
import warnings

import pypowerwall


class Kept(logging.Handler):
    """Keeps what pypowerwall logs, to be answered with the calls' results."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def main() -> None:
    host, gw_password, key_path = sys.argv[1:4]
    kept = Kept()
    logging.getLogger("pypowerwall").addHandler(kept)
    with warnings.catch_warnings(record=True) as caught:  # from the start: connecting probes the key
        warnings.simplefilter("always")
        pw = pypowerwall.Powerwall(
            host=host,
            gw_pwd=gw_password,
            rsa_key_path=key_path,
            failover=False,  # only v1r: no Fleet API or cloud fallback (network)
            pwcacheexpire=0,  # every call asks the gateway: a change shows at once
            timeout=10,
            cachefile="",
        )
        for line in sys.stdin:
            results = [getattr(pw, name)(*args) for name, *args in json.loads(line)]
            seen = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
            caught.clear()
            logged, kept.lines = kept.lines, []
            print(json.dumps({"results": results, "warnings": seen, "logs": logged}, default=str), flush=True)


if __name__ == "__main__":
    main()
