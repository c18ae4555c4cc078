"""`teg-emulator record`: poll a gateway's read endpoints, paced, and write every answer to a recording.

Read-only by construction: only GETs of endpoints that do not act (never
/api/sitemaster/run, /api/config/completed, /api/logout …), one request at a
time, polls at most every ``interval_s``. Firmware 1.15.0 is recorded without
a login, because a login there stops sitemaster; newer firmware gets the
customer login it needs, and a fresh one if the session expires. Given the
gateway password (QR sticker), it also polls the TEDAPI's reads: GET /tedapi/din
and the read-only POST /tedapi/v1 requests of :mod:`emulator.replay.tedapi`,
including each Powerwall 3's query about itself (the Powerwall 3s that
config.json lists when the recording starts). A Powerwall 3, which has no
/api/status, is identified by them. Given the owner's registered key, it reads
a Powerwall 3 as today's LAN clients do, over TEDAPI v1r (:mod:`emulator.replay.tedapi_v1r`).
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from emulator import contract
from emulator.contract import FirmwareFacts
from emulator.contract.v1r import SigningKey, signed_message
from emulator.replay import tedapi, tedapi_reads, tedapi_v1r
from emulator.replay.client import LoginError, RecordError, RecordingClient, connect, profile_for
from emulator.replay.format import Header, Recorded, RecordingWriter
from emulator.replay.redact import Redactor, redacted_batch
from emulator.replay.worker import run_until_interrupted


def default_endpoints(facts: FirmwareFacts) -> tuple[str, ...]:
    """What `record` polls when not told: the reads the firmware's facts say clients poll (``polled``), else
    every plain GET read under /api/ the firmware serves (a new firmware records without a table of its own)."""
    if facts.polled:
        return facts.polled
    return tuple(
        path
        for path, methods in facts.paths.items()
        if path.startswith("/api/") and "{" not in path and "GET" in methods and not acts(path)
    )


MAX_FAILED_POLLS = 3  # polls in a row with no answer at all before the recorder gives up


def check_endpoint(path: str) -> str:
    """An endpoint the recorder may poll; ValueError with the reason otherwise."""
    path = path.strip()
    if not contract.validator("recording/path.json").is_valid(path):  # what a recording can hold
        raise ValueError(f"{path!r} is not a gateway API path such as /api/meters/aggregates (no query string)")
    if acts(path.rstrip("/")):
        raise ValueError(f"{path} changes the gateway's state; the recorder only reads")
    return path


def acts(path: str) -> bool:
    """Whether polling ``path`` would change the gateway, by the spec's x-teg-safety.

    A GET the spec marks write or disruptive acts (sitemaster/run, config/completed, logout); so
    does a path the spec knows only for other methods (login, password change). A path the spec
    does not know is a newer firmware's read: it may be recorded.
    """
    get = contract.operation_for("GET", path)
    if get is not None:
        return get.safety != "read"
    return any(contract.operation_for(method, path) for method in ("POST", "PUT", "DELETE", "PATCH"))


@dataclass(frozen=True)
class RecordOptions:
    gateway_url: str
    out: Path
    password: str | None = None
    gw_password: str | None = None  # the gateway password (QR sticker): records the TEDAPI too
    email: str = "nobody@nowhere.com"
    interval_s: float = 5.0
    duration_s: float = 3600.0
    endpoints: tuple[str, ...] | None = None  # None: the firmware's default read set
    redact: bool = False
    timeout_s: float = 10.0
    overwrite: bool = False
    rsa_key: SigningKey | None = None  # the owner's registered TEDAPI v1r key: records a Powerwall 3's v1r reads


@dataclass
class Summary:
    header: Header
    file: Path
    polls: int = 0
    responses: int = 0
    failures: int = 0
    elapsed_s: float = 0.0
    interrupted: bool = False
    notes: list[str] = field(default_factory=list)


Progress = Callable[[Summary], None]


STOP_GRACE_S = 1.0  # Ctrl-C to the answer: 2 s at most, with the interpreter's own exit


def record(options: RecordOptions, *, on_start: Progress | None = None, on_poll: Progress | None = None) -> Summary:
    """Record until the duration is up or Ctrl-C; the file is valid at every line written.

    The requests run in a worker thread (:mod:`emulator.replay.worker` says why): Ctrl-C stops the
    recording within STOP_GRACE_S whatever it is doing, a request to a gateway that stopped answering
    included, keeping every whole batch written so far.
    """
    recording = _Recording()
    return run_until_interrupted(
        lambda stop: _record(options, stop, recording, on_start, on_poll), recording.abandon, grace_s=STOP_GRACE_S
    )


class _Recording:
    """The file, the poll being answered and the summary, shared with the main thread, which finishes them
    on Ctrl-C when the worker cannot (it is waiting on a gateway). One lock: a batch is written whole, once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._writer: RecordingWriter | None = None
        self._redactor: Redactor | None = None
        self._pending: list[Recorded] = []  # the answers of the poll under way
        self._closed = False
        self.summary: Summary | None = None
        self.started = 0.0

    def begin(self, writer: RecordingWriter, redactor: Redactor | None, summary: Summary, started: float) -> None:
        with self._lock:
            self._writer, self._redactor, self.summary, self.started = writer, redactor, summary, started

    def add(self, recorded: Recorded) -> None:
        with self._lock:
            self._pending.append(recorded)

    def flush(self) -> bool:
        """Write the poll's answers as one batch; False once the recording is closed (nothing written)."""
        with self._lock:
            if self._writer is None or self.summary is None or self._closed:
                return False
            batch, self._pending = self._pending, []
            if self._redactor is not None:  # learns from the whole batch: a serial may be named in a later body
                batch = redacted_batch(self._redactor, batch)
            self._writer.write(batch)
            self.summary.polls += 1 if batch else 0
            self.summary.responses = self._writer.count
            self.summary.elapsed_s = time.monotonic() - self.started
            return True

    def close(self) -> None:
        with self._lock:
            if self._writer is not None and not self._closed:
                self._writer.close()
            self._closed = True

    def abandon(self) -> Summary:
        """Ctrl-C while the worker waits on the gateway: what was answered, written; or Ctrl-C before it began."""
        if self.summary is None:
            self.close()
            raise KeyboardInterrupt
        with contextlib.suppress(OSError):  # a full disk: the writer has cut the half batch off again
            self.flush()
        self.close()
        self.summary.interrupted = True
        self.summary.elapsed_s = time.monotonic() - self.started
        return self.summary


def _record(
    options: RecordOptions,
    stop: threading.Event,
    recording: _Recording,
    on_start: Progress | None,
    on_poll: Progress | None,
) -> Summary:
    client, status = connect(options.gateway_url, options.timeout_s)
    try:
        if status is None:  # a Powerwall 3: no /api/status, so its TEDAPI says what it is
            status = tedapi_reads.identify(
                client, options.gw_password, options.rsa_key, options.password, options.email
            )
        firmware = str(status["version"]).strip()[:100]
        profile = profile_for(firmware)
        facts = contract.firmware_facts()[profile]
        password = options.password
        if not password and options.gw_password and facts.password_from == "gateway_password":
            password = facts.default_password("", options.gw_password)  # a PW3: the sticker's last five
        options = replace(options, password=password)
        needs_login = not facts.login_stops_sitemaster  # 1.x: reads are open, a login would stop it
        if needs_login and not client.logged_in:
            if not options.password:
                raise RecordError(f"firmware {firmware} needs a login: give --password (the customer password)")
            client.login(options.password, options.email)
        reads = [] if options.redact else tedapi_reads.plan(client, options.gw_password, options.rsa_key, facts, status)
        redactor = Redactor() if options.redact else None
        started = time.monotonic()  # t = 0, and recorded_at is the same instant on the wall clock
        asked = dict.fromkeys(read.path for read in reads if not read.path.startswith("/tedapi/device/"))
        paths = ("/tedapi/din", *asked) if reads else ()
        header = _header(options, client, status, firmware, profile, redactor, paths)
        if stop.is_set():  # Ctrl-C came while connecting: record() has answered already; write no file after it
            raise KeyboardInterrupt
        try:
            writer = RecordingWriter(options.out, header, overwrite=options.overwrite)
        except OSError as exc:
            raise RecordError(f"cannot write {options.out}: {exc.strerror}") from None
        summary = Summary(header, options.out)
        recording.begin(writer, redactor, summary, started)
        if not needs_login and options.password:
            summary.notes.append("firmware 1.15.0 reads are open: not logging in (a login would stop sitemaster)")
        if reads and not any(read.key.startswith("query ") for read in reads):
            summary.notes.append(
                "pypowerwall is not installed: the TEDAPI's signed queries (the status, each Powerwall 3's"
                " components) are not recorded, as only it ships Tesla's signatures (pip install pypowerwall)"
            )
        if (options.gw_password or options.rsa_key) and options.redact and facts.serves("GET", "/tedapi/din"):
            summary.notes.append("--redact: the TEDAPI is not recorded (its protobuf bodies cannot be redacted)")
        if options.rsa_key is not None and not facts.serves("POST", tedapi_v1r.PATH):
            summary.notes.append(f"--rsa-key: firmware {firmware} has no TEDAPI v1r (a Powerwall 3 on 25.10+ has)")
        if on_start:
            on_start(summary)
        try:
            _Poller(client, options, recording, writer, summary, needs_login, on_poll, reads, stop).run()
        finally:
            recording.close()
        return summary
    finally:
        client.logout()
        client.close()


def _header(
    options: RecordOptions,
    client: RecordingClient,
    status: dict[str, Any],
    firmware: str,
    profile: str,
    redactor: Redactor | None,
    tedapi_paths: tuple[str, ...] = (),
) -> Header:
    din, device_type = (
        value if isinstance(value, str) else None for value in (status.get("din"), status.get("device_type"))
    )
    part, sep, serial = (din or "").rpartition("--")
    gateway = {
        "din": din,
        "serial": serial if sep else None,
        "part_number": part if sep else None,
        "device_type": device_type,
    }
    if redactor is not None:
        redactor.learn({"din": din} if din else {})
        gateway = {k: redactor.text(v) if isinstance(v, str) else v for k, v in gateway.items()}
    return Header(
        firmware=firmware,
        profile=profile,
        recorded_at=datetime.now(UTC).isoformat(),
        interval_s=options.interval_s,
        endpoints=(*(options.endpoints or default_endpoints(contract.facts_for(profile))), *tedapi_paths),
        gateway=gateway,
        redacted=options.redact,
        tls=client.tls,
        source=None if options.redact else client.base_url,
        recorder="teg-emulator record",
    )


class _Poller:
    """The polling loop: fixed slots every interval (no drift), a missed slot is skipped, not crammed."""

    def __init__(
        self,
        client: RecordingClient,
        options: RecordOptions,
        recording: _Recording,
        writer: RecordingWriter,
        summary: Summary,
        needs_login: bool,
        on_poll: Progress | None,
        tedapi_reads: list[tedapi.Read],
        stop: threading.Event,
    ) -> None:
        self.client, self.options, self.writer = client, options, writer
        self.recording, self.summary, self.needs_login, self.on_poll = recording, summary, needs_login, on_poll
        self.endpoints = [p for p in summary.header.endpoints if not p.startswith("/tedapi/")]
        self.tedapi_reads = tedapi_reads
        self.din = summary.header.gateway.get("din") or ""  # what v1r signs for
        self.start = recording.started
        self.stop = stop

    def run(self) -> None:
        slot, failed_in_row, last_failure = 0, 0, ""
        try:
            while True:
                due = self.start + slot * self.options.interval_s
                if slot > 0 and due - self.start >= self.options.duration_s:
                    break
                if self.stop.wait(max(0.0, due - time.monotonic())):
                    break
                got, failure = self._poll()
                failed_in_row = 0 if got else failed_in_row + 1
                last_failure = failure or last_failure
                if failed_in_row >= MAX_FAILED_POLLS:
                    raise RecordError(
                        f"lost the gateway: {last_failure} (kept {self.writer.count} responses in {self.writer.path})"
                    )
                elapsed = time.monotonic() - self.start
                slot = max(slot + 1, math.ceil(elapsed / self.options.interval_s))
        except LoginError as exc:  # the password changed under us: stop, keeping what was recorded
            raise RecordError(f"{exc} (kept {self.writer.count} responses in {self.writer.path})") from None
        except OSError as exc:  # writing failed (a full disk): the lines written so far are whole
            raise RecordError(
                f"cannot write {self.writer.path}: {exc.strerror or exc} (kept {self.writer.count} responses)"
            ) from None
        self.summary.interrupted = self.stop.is_set()
        self.summary.elapsed_s = time.monotonic() - self.start

    def _poll(self) -> tuple[int, str]:
        """One pass over the endpoints; written as one batch. Returns (answers, last failure)."""
        answers, failure, relogged = 0, "", False
        tedapi_calls: list[tedapi.Read | None] = [None, *self.tedapi_reads] if self.tedapi_reads else []
        calls: list[str | tedapi.Read | None] = [*self.endpoints, *tedapi_calls]  # None: GET /tedapi/din
        try:
            for call in calls:
                if self.stop.is_set():  # Ctrl-C: keep what was answered, ask nothing more
                    break
                try:
                    if isinstance(call, str):
                        recorded, relogged = self._fetch(call, relogged)
                    else:
                        recorded = self._fetch_tedapi(call)
                except LoginError:
                    raise
                except RecordError as exc:  # a timeout or a dropped connection: note it, go on
                    self.summary.failures += 1
                    failure = str(exc)
                    continue
                self.recording.add(recorded)
                answers += 1
        finally:  # a login refused or a disk full mid-poll: keep what was answered
            if self.recording.flush() and self.on_poll:
                self.on_poll(self.summary)
        return answers, failure

    def _fetch(self, path: str, relogged: bool) -> tuple[Recorded, bool]:
        t = time.monotonic() - self.start
        answer = self.client.get(path)
        if answer.status == 401 and self.needs_login and not relogged and self.options.password:
            self.summary.notes.append(f"session expired at t={t:.1f} s; logged in again")
            self.client.login(self.options.password, self.options.email)
            relogged = True
            t = time.monotonic() - self.start
            answer = self.client.get(path)
        return answer.recorded(round(t, 3), "GET", path), relogged

    def _fetch_tedapi(self, read: tedapi.Read | None) -> Recorded:
        """GET /tedapi/din (``read`` None) or one POST, its answer named by the kind of request and device.

        The gateway password's HTTP Basic where given (the Wi-Fi TEDAPI), else the session's bearer token; a
        v1r read carries no credentials but its signature, made now (it lives 12 s)."""
        t = time.monotonic() - self.start
        auth = tedapi.basic_auth(self.options.gw_password) if self.options.gw_password else None
        if read is None:
            return self.client.get("/tedapi/din", auth).recorded(round(t, 3), "GET", "/tedapi/din")
        body = read.body
        if read.path == tedapi_v1r.PATH and self.options.rsa_key is not None:
            body, auth = signed_message(self.options.rsa_key, self.din, read.body), {}
        answer = self.client.post_protobuf(read.path, body, auth or {})
        return answer.recorded(round(t, 3), "POST", read.path, read.key, read.device)
