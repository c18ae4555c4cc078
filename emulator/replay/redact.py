"""`record --redact`: serial numbers, credentials, tokens and e-mail addresses become stable placeholders.

Secrets are found by the keys gateways put them under (``din``,
``PackageSerialNumber``, ``token`` …), then every occurrence of each secret is
replaced wherever it appears: inside other strings (a DIN is
``PART--SERIAL``), in messages, in object keys. The same secret always gets
the same placeholder within a recording, so a replay still shows one gateway
with N distinct Powerwalls. Placeholders are numbered by first appearance,
not hashed: a hash of a short serial could be reversed by trying them all.
"""

from __future__ import annotations

import re
from typing import Any

from emulator.replay.format import Recorded

DIN_KEYS = frozenset({"din", "gateway_din", "vin"})  # "PART--SERIAL"
SERIAL_KEYS = frozenset(
    {
        "PackageSerialNumber",
        "serial_number",
        "serialNumber",
        "SerialNumber",
        "serial",
        "device_serial",
        "ecu_package_serial_number",
    }
)
CREDENTIAL_KEYS = frozenset(
    {"password", "old_password", "new_password", "token", "AuthCookie", "UserRecord", "access_token", "refresh_token"}
)
EMAIL_KEYS = frozenset({"email"})
REDACTED = "REDACTED"
MIN_SECRET_CHARS = 5  # shorter values are too likely to occur by chance in other text


class Redactor:
    """Learns secrets from bodies, then replaces them everywhere; one instance per recording."""

    def __init__(self) -> None:
        self._placeholders: dict[str, str] = {}
        self._counts: dict[str, int] = {}
        self._pattern: re.Pattern[str] | None = None

    # -- learning ------------------------------------------------------------
    def learn(self, value: Any) -> None:
        """Remember every secret ``value`` holds under a telling key (walks nested JSON)."""
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, str):
                    self._learn_field(str(key), item)
                else:
                    self.learn(item)
        elif isinstance(value, list):
            for item in value:
                self.learn(item)

    def _learn_field(self, key: str, text: str) -> None:
        if key in DIN_KEYS:
            part, sep, serial = text.rpartition("--")
            self._add(serial if sep else text, "GW")
        elif key in SERIAL_KEYS:
            self._add(text, "SN")
        elif key in CREDENTIAL_KEYS:
            self._add(text, "")
        elif key in EMAIL_KEYS and "@" in text:
            self._add(text, "@")

    def _add(self, secret: str, kind: str) -> None:
        if len(secret) < MIN_SECRET_CHARS or secret in self._placeholders or secret in self._placeholders.values():
            return
        number = self._counts[kind] = self._counts.get(kind, 0) + 1
        if kind == "":
            placeholder = REDACTED
        elif kind == "@":
            placeholder = f"user{number}@example.invalid"
        else:
            placeholder = f"{kind}{number:04d}"  # 6 upper-case letters or digits: still a valid serial
        self._placeholders[secret] = placeholder
        longest_first = sorted(self._placeholders, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(s) for s in longest_first))

    # -- applying ------------------------------------------------------------
    def apply(self, value: Any) -> Any:
        """A copy of a JSON value with every known secret replaced (credential fields blanked)."""
        if isinstance(value, dict):
            return {
                self.text(str(k)): REDACTED if k in CREDENTIAL_KEYS and isinstance(v, str) else self.apply(v)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self.apply(item) for item in value]
        if isinstance(value, str):
            return self.text(value)
        return value

    def text(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: self._placeholders[m.group(0)], text)

    @property
    def secrets_seen(self) -> int:
        return len(self._placeholders)


def redacted_batch(redactor: Redactor, batch: list[Recorded]) -> list[Recorded]:
    """Learn from the whole batch first: a serial may appear in one body before the body that names it."""
    for recorded in batch:
        if recorded.is_json:
            redactor.learn(recorded.body)
    return [
        Recorded(r.t, r.method, r.path, r.status, r.content_type, redactor.apply(r.body), None, r.latency_ms)
        if r.is_json
        else Recorded(
            r.t, r.method, r.path, r.status, r.content_type, text=redactor.text(r.text or ""), latency_ms=r.latency_ms
        )
        for r in batch
    ]
