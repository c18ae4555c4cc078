"""Firmware facts: what each gateway firmware serves and how, as data (schemas/firmware/<version>.yaml).

This is the one home of every fact that differs between firmware versions: paths and
which are open, how a client logs in and what a login does, whether operation changes are
staged, the transport, and the error texts a client sees. The emulator builds its
profiles from these facts and the contract suite judges gateways by them, so a wrong
fact cannot hide by being written twice. Each file is validated by schemas/firmware.json
and its paths are checked against openapi.yaml when loaded.

A passed check is remembered (contract.cache) while none of the bytes it read change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from emulator.contract.cache import digest, recall, remember
from emulator.contract.files import load_spec, load_yaml, schemas_dir, spec_path, validator

EMULATOR_PREFIX = "/_emulator/"  # the emulator's own API: served by every profile, never a firmware fact
_HTTP_METHODS = ("get", "post", "put", "patch", "delete")


class FactsError(ValueError):
    """A firmware facts file that does not hold together (schema, file name or paths)."""


@dataclass(frozen=True)
class ErrorText:
    """An error a client sees: status and the gateway's ``{code, error, message}`` (or no body at all)."""

    status: int
    error: str = ""
    message: str = ""
    empty_body: bool = False

    def body(self, method: str = "GET") -> dict[str, object] | None:
        if self.empty_body:
            return None
        return {"code": self.status, "error": self.error.format(method=method), "message": self.message}


@dataclass(frozen=True)
class Call:
    """A request a firmware fact names (the method, the path and, for a write, the body it carries)."""

    method: str
    path: str
    body: dict[str, Any] | None = field(default=None, hash=False, compare=False)


@dataclass(frozen=True)
class Throttle:
    """The firmware's login throttle: failures within the window before a lock-out, and how long it lasts."""

    threshold: int
    window_s: float
    cooldown_s: float


@dataclass(frozen=True)
class RateLimits:
    """Requests per client and endpoint in each window before a 429 lasting cooldown_s (the gateway's clock)."""

    requests: int
    window_s: float
    cooldown_s: float
    basis: str  # "reported" or "assumed"


@dataclass(frozen=True)
class TLS:
    """The TLS a firmware serves: the protocol versions it accepts and its certificate's key type."""

    versions: tuple[str, ...]  # "1.2", "1.3"
    key: str  # "rsa" or "ec"


@dataclass(frozen=True, eq=False)
class FirmwareFacts:
    """One firmware's facts, typed. Compared and hashed by identity: there is one per profile."""

    version: str
    speaks_for_from: tuple[int, int]
    reported_version: str
    git_hash: str
    renderers: str
    scheme: str
    tls: TLS | None
    headers: tuple[tuple[str, str], ...]
    credentials: str  # "bearer" or "cookies"
    username: str
    encodings: tuple[str, ...]
    password_prefix: str
    password_last_chars: int | None
    password_from: str  # "serial" or "gateway_password"
    roles: tuple[str, ...]
    login_stops_sitemaster: bool
    throttle: Throttle | None
    session_lifetime_s: float | None  # past it a session is refused as invalid_credentials; None: never
    session_basis: str | None  # "reported" or "assumed" (None: no lifetime stated)
    rate_limits: RateLimits | None  # stated (mostly assumed) request limits; applied only when switched on
    operation_staged: bool
    mode_field: str
    sitemaster_stop: Call
    sitemaster_run: Call
    bad_credentials: ErrorText
    missing_credentials: ErrorText
    invalid_credentials: ErrorText
    sitemaster_stopped: ErrorText
    throttled: ErrorText | None
    paths: dict[str, dict[str, str]]  # path template -> method -> access (schemas/firmware.json: paths)
    hardware: str = "powerwall2"  # "powerwall2" or "powerwall3": the site the TEDAPI describes
    polled: tuple[str, ...] = ()  # the reads clients poll (`record`'s default endpoints); () when not stated

    @property
    def cookie_sessions(self) -> bool:
        return self.credentials == "cookies"

    @property
    def uses_tls(self) -> bool:
        return self.scheme == "https"

    @property
    def tedapi(self) -> bool:
        """Serves /tedapi/din and /tedapi/v1 (HTTP Basic with the gateway password)."""
        return self.serves("POST", "/tedapi/v1")

    @property
    def web_portal(self) -> bool:
        """GET / answers any client; a Powerwall 3 has none (browsers still get the emulator's page)."""
        return self.serves("GET", "/")

    @property
    def tls_key_type(self) -> str:
        return self.tls.key if self.tls is not None else "ec"

    def serves(self, method: str, path: str) -> bool:
        """Whether this firmware answers ``method`` on the path template (the emulator's own API: always)."""
        if path.startswith(EMULATOR_PREFIX):
            return True
        return method.upper() in self.paths.get(path, {})

    def access(self, method: str, path: str) -> str | None:
        """How ``method path`` is authorized here (open, login, gateway_password, ...); None: not served."""
        return self.paths.get(path, {}).get(method.upper())

    def is_open(self, method: str, path: str) -> bool:
        if path.startswith(EMULATOR_PREFIX):
            return True
        return self.paths.get(path, {}).get(method.upper()) == "open"

    def default_password(self, gateway_serial: str, gateway_password: str = "") -> str:
        source = gateway_password if self.password_from == "gateway_password" else gateway_serial
        tail = source if self.password_last_chars is None else source[-self.password_last_chars :]
        return self.password_prefix + tail

    @property
    def tls_min_version(self) -> str | None:
        """ "TLSv1.3" when the firmware refuses older handshakes; None: what Python's TLS server allows."""
        if self.tls is None or "1.2" in self.tls.versions:
            return None
        return "TLSv" + min(self.tls.versions)


@lru_cache(maxsize=1)
def firmware_facts() -> dict[str, FirmwareFacts]:
    """Every profile's facts, by version, oldest first; each file checked (or unchanged since it passed)."""
    paths = sorted((schemas_dir() / "firmware").glob("*.yaml"))
    if not paths:
        raise FactsError(f"no firmware facts in {schemas_dir() / 'firmware'}")
    key = digest([Path(__file__), schemas_dir() / "firmware.json", spec_path(), *paths])
    checked = recall("firmware-facts-checked", key)
    if isinstance(checked, dict) and sorted(checked) == [path.stem for path in paths]:
        found = [_build(stem, data) for stem, data in checked.items()]
    else:
        datas = {path.stem: load_yaml(path) for path in paths}
        found = [parse_facts(stem, data) for stem, data in datas.items()]
        remember("firmware-facts-checked", key, datas)  # only reached when every file passed
    return {f.version: f for f in sorted(found, key=lambda f: f.speaks_for_from)}


def register_facts(facts: FirmwareFacts) -> None:
    """Serve a firmware whose facts file lives outside schemas/firmware/ (checked with :func:`parse_facts`):
    a firmware of a plugin or a test. Its renderer family is registered with emulator.firmware."""
    known = firmware_facts()
    if facts.version in known:
        raise FactsError(f"firmware {facts.version} is already known")
    _reorder(known, [*known.values(), facts])


def forget_facts(version: str) -> None:
    """Undo :func:`register_facts` (the facts files of schemas/firmware/ cannot be forgotten)."""
    known = firmware_facts()
    if (schemas_dir() / "firmware" / f"{version}.yaml").is_file():
        raise FactsError(f"firmware {version} is one of schemas/firmware/")
    _reorder(known, [f for f in known.values() if f.version != version])


def _reorder(known: dict[str, FirmwareFacts], facts: list[FirmwareFacts]) -> None:
    known.clear()
    known.update((f.version, f) for f in sorted(facts, key=lambda f: f.speaks_for_from))


def facts_for(version: str) -> FirmwareFacts:
    """The facts of a profile by name; ValueError naming the known ones."""
    known = firmware_facts()
    try:
        return known[version]
    except KeyError:
        raise ValueError(f"unknown firmware {version!r}; choose one of: {', '.join(sorted(known))}") from None


def facts_for_reported(version: str) -> FirmwareFacts:
    """The profile a version string a gateway reports speaks ("1.15.0\\n", "23.44.0 9064fc6a"):
    the one with the latest ``speaks_for_from`` not after it. ValueError when no version can be read."""
    match = re.match(r"\s*(\d+)\.(\d+)", version)
    if match is None:
        raise ValueError(f"cannot read a firmware version from {version.strip()!r}")
    reported = (int(match[1]), int(match[2]))
    speaking = [f for f in firmware_facts().values() if f.speaks_for_from <= reported]
    return speaking[-1] if speaking else next(iter(firmware_facts().values()))


def parse_facts(stem: str, data: Any) -> FirmwareFacts:
    """One facts file's data, checked (schema, file name, paths against openapi.yaml); FactsError if not."""
    errors = sorted(validator("firmware.json").iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path) or "(top)"
        raise FactsError(f"schemas/firmware/{stem}.yaml: {where}: {errors[0].message}")
    if data["version"] != stem:
        raise FactsError(f"schemas/firmware/{stem}.yaml states version {data['version']!r}; name the file after it")
    _check_paths(stem, data["paths"])
    for where, stated in (("login.throttle", "throttle" in data["login"]), ("rate_limits", "rate_limits" in data)):
        if stated and "throttled" not in data["errors"]:
            raise FactsError(f"schemas/firmware/{stem}.yaml: {where} needs errors.throttled (what a client sees)")
    return _build(stem, data)


def _build(stem: str, data: Any) -> FirmwareFacts:
    """Checked data, typed."""
    login, errs, transport = data["login"], data["errors"], data["transport"]
    major, minor = data["speaks_for_from"].split(".")
    tls = transport.get("tls")
    return FirmwareFacts(
        version=stem,
        speaks_for_from=(int(major), int(minor)),
        reported_version=data["reports"]["version"],
        git_hash=data["reports"]["git_hash"],
        renderers=data["renderers"],
        scheme=transport["scheme"],
        tls=TLS(tuple(tls["versions"]), tls["key"]) if tls else None,
        headers=tuple(transport.get("headers", {}).items()),
        credentials=login["credentials"],
        username=login["username"],
        encodings=tuple(login["encodings"]),
        password_prefix=login["default_password"]["prefix"],
        password_last_chars=login["default_password"].get("last_chars"),
        password_from=login["default_password"].get("from", "serial"),
        roles=tuple(login["roles"]),
        login_stops_sitemaster=login["stops_sitemaster"],
        throttle=_throttle(login.get("throttle")),
        session_lifetime_s=float(login["session"]["lifetime_s"]) if "session" in login else None,
        session_basis=login["session"]["basis"] if "session" in login else None,
        rate_limits=_rate_limits(data.get("rate_limits")),
        operation_staged=data["operation"]["staged"],
        mode_field=data["operation"]["mode_field"],
        sitemaster_stop=Call(**data["sitemaster"]["stop"]),
        sitemaster_run=Call(**data["sitemaster"]["run"]),
        bad_credentials=ErrorText(**errs["bad_credentials"]),
        missing_credentials=ErrorText(**errs["missing_credentials"]),
        invalid_credentials=ErrorText(**errs["invalid_credentials"]),
        sitemaster_stopped=ErrorText(**errs["sitemaster_stopped"]),
        throttled=ErrorText(**errs["throttled"]) if "throttled" in errs else None,
        paths={path: dict(methods) for path, methods in data["paths"].items()},
        hardware=data.get("hardware", "powerwall2"),
        polled=tuple(data.get("polled", ())),
    )


def _throttle(data: dict[str, Any] | None) -> Throttle | None:
    return None if data is None else Throttle(data["threshold"], float(data["window_s"]), float(data["cooldown_s"]))


def _rate_limits(data: dict[str, Any] | None) -> RateLimits | None:
    if data is None:
        return None
    return RateLimits(data["requests"], float(data["window_s"]), float(data["cooldown_s"]), data["basis"])


def _check_paths(stem: str, paths: dict[str, dict[str, str]]) -> None:
    """Every path and method a firmware serves is an operation of openapi.yaml (its shapes live there)."""
    spec_paths = load_spec()["paths"]
    for path, methods in paths.items():
        if path.startswith(EMULATOR_PREFIX):
            raise FactsError(f"schemas/firmware/{stem}.yaml: {path} is the emulator's own API, not a firmware's")
        documented = {m.upper() for m in spec_paths.get(path, {}) if m in _HTTP_METHODS}
        missing = sorted(set(methods) - documented)
        if missing:
            raise FactsError(f"schemas/firmware/{stem}.yaml: {', '.join(missing)} {path} is not in openapi.yaml")
