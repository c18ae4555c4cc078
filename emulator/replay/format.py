"""The recording file: JSON Lines, a header line, then one line per response in time order.

Why JSON Lines rather than one JSON document: a recording may run for days.
Each poll appends whole lines and flushes, so a recorder stopped by Ctrl-C,
a lost network or a full disk still leaves a file that loads, and nothing has
to be rewritten at the end to close a bracket. A loader can also name the
exact line that is wrong. schemas/recording/ describes each line;
schemas/recording.json describes the whole file read as an array of lines.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from jsonschema.exceptions import ValidationError, best_match

from emulator import contract
from emulator.http.door import loads_bounded

FORMAT = "teg-recording"
VERSION = 1
HEADER_SCHEMA = "recording/header.json"
RESPONSE_SCHEMA = "recording/response.json"
_MAX_SHOWN = 120  # characters of a bad value quoted in an error message


class RecordingError(ValueError):
    """A recording that cannot be used; the message names the file, the line and the problem."""

    def __init__(self, file: str | Path, line: int | None, problem: str) -> None:
        where = f"{file}:{line}" if line is not None else str(file)
        super().__init__(f"{where}: {problem}")
        self.file, self.line, self.problem = str(file), line, problem


@dataclass(frozen=True)
class Header:
    firmware: str  # as GET /api/status said it (a Powerwall 3: its TEDAPI system information)
    profile: str  # the emulator firmware profile replays use for auth and TLS
    recorded_at: str  # ISO 8601, UTC, wall clock at t = 0
    interval_s: float
    endpoints: tuple[str, ...]
    gateway: dict[str, str | None] = field(default_factory=dict)
    redacted: bool = False
    tls: bool = False
    source: str | None = None
    recorder: str = "teg-emulator"

    @property
    def started(self) -> float:
        """t = 0 as POSIX seconds."""
        return datetime.fromisoformat(self.recorded_at.replace("Z", "+00:00")).timestamp()

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "firmware": self.firmware,
            "profile": self.profile,
            "recorded_at": self.recorded_at,
            "interval_s": self.interval_s,
            "endpoints": list(self.endpoints),
            "gateway": dict(self.gateway),
            "redacted": self.redacted,
            "tls": self.tls,
            "source": self.source,
            "recorder": self.recorder,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Header:
        return cls(
            firmware=data["firmware"],
            profile=data["profile"],
            recorded_at=data["recorded_at"],
            interval_s=float(data["interval_s"]),
            endpoints=tuple(data["endpoints"]),
            gateway=dict(data.get("gateway", {})),
            redacted=data["redacted"],
            tls=data["tls"],
            source=data.get("source"),
            recorder=data.get("recorder", "unknown"),
        )


_NO_BODY = object()


@dataclass(frozen=True)
class Recorded:
    """One response as the gateway gave it."""

    t: float
    method: str
    path: str
    status: int
    content_type: str | None
    body: Any = _NO_BODY  # the JSON value, when the body was JSON
    text: str | None = None  # otherwise the body as text
    latency_ms: float | None = None
    binary: bytes | None = None  # a binary body (the TEDAPI's protobuf), stored as base64
    request: str | None = None  # which TEDAPI request a POST answered (see emulator.replay.tedapi.request_key)
    device: str | None = None  # the DIN of the Powerwall a per-device TEDAPI query asked (None: the gateway)

    @property
    def is_json(self) -> bool:
        return self.body is not _NO_BODY

    def content(self) -> bytes:
        """The body's bytes as a replay sends them (JSON compact, as gateways send it)."""
        if self.is_json:
            return json.dumps(self.body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        if self.binary is not None:
            return self.binary
        return (self.text or "").encode("utf-8")

    def as_json(self) -> dict[str, Any]:
        line: dict[str, Any] = {
            "t": self.t,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "content_type": self.content_type,
        }
        if self.request is not None:
            line["request"] = self.request
        if self.device is not None:
            line["device"] = self.device
        if self.is_json:
            line["body"] = self.body
        elif self.binary is not None:
            line["body_base64"] = base64.b64encode(self.binary).decode("ascii")
        else:
            line["text"] = self.text or ""
        if self.latency_ms is not None:
            line["latency_ms"] = self.latency_ms
        return line

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Recorded:
        return cls(
            t=float(data["t"]),
            method=data["method"],
            path=data["path"],
            status=data["status"],
            content_type=data.get("content_type"),
            body=data.get("body", _NO_BODY),
            text=data.get("text"),
            latency_ms=data.get("latency_ms"),
            binary=base64.b64decode(data["body_base64"]) if "body_base64" in data else None,
            request=data.get("request"),
            device=data.get("device"),
        )


def is_binary(content_type: str | None) -> bool:
    """Bodies kept byte for byte (base64): protobuf, which text would mangle."""
    kind = (content_type or "").lower()
    return "octet-stream" in kind or "protobuf" in kind


def decode_body(content: bytes, content_type: str | None) -> tuple[Any, str | None]:
    """(body, text) for a response: JSON stays JSON when it parses cleanly, the rest is kept as text."""
    text = content.decode("utf-8", "replace")
    if content and "json" in (content_type or "").lower():
        try:
            return loads_bounded(text), None
        except ValueError:  # includes nesting too deep and lone surrogates: kept as text
            pass  # a gateway's malformed JSON (NaN, truncation) is kept verbatim
    return _NO_BODY, text


@dataclass(frozen=True)
class Recording:
    file: Path
    header: Header
    responses: tuple[Recorded, ...]

    @property
    def duration_s(self) -> float:
        return self.responses[-1].t if self.responses else 0.0


def dump_line(value: dict[str, Any]) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False) + "\n"


class RecordingWriter:
    """Appends whole lines, each batch straight to the file, so the file is valid whenever it stops.

    Unbuffered and in bytes: a batch that cannot be written whole (a full disk) is cut back off
    the end of the file before the error goes up, so no half line is left and nothing is held
    back in a buffer for ``close()`` to fail on again.
    """

    def __init__(self, path: Path, header: Header, *, overwrite: bool = False) -> None:
        self.path = path
        self._file = path.open("wb" if overwrite else "xb", buffering=0)
        self._size = 0
        self.count = 0
        try:
            self._write(dump_line(header.as_json()))
        except OSError:
            self._file.close()
            raise

    def write(self, responses: list[Recorded]) -> None:
        if responses:
            self._write("".join(dump_line(r.as_json()) for r in responses))  # one call: a batch lands whole
            self.count += len(responses)

    def _write(self, text: str) -> None:
        encoded = text.encode("utf-8")
        try:
            self._write_all(memoryview(encoded))
        except OSError:
            with contextlib.suppress(OSError):  # a device such as /dev/full cannot be truncated: nothing to undo
                self._file.truncate(self._size)
            raise
        self._size += len(encoded)

    def _write_all(self, data: memoryview) -> None:
        while data:  # a raw write may take part of the data (the last bytes before a disk fills)
            written = self._file.write(data)
            if not written:
                raise OSError(errno.EIO, "the file took no bytes")
            data = data[written:]

    def close(self) -> None:
        self._file.close()


# -- loading ---------------------------------------------------------------------
def load_recording(path: str | Path) -> Recording:
    """Read and check a whole recording; RecordingError names the first bad line."""
    file = Path(path)
    lines = _numbered_objects(file)
    first = next(lines, None)
    if first is None:
        raise RecordingError(file, 1, "the file is empty; its first line must be the recording header")
    number, data = first
    _check(file, number, data, HEADER_SCHEMA, "header")
    header = Header.from_json(data)
    responses: list[Recorded] = []
    for number, data in lines:
        _check(file, number, data, RESPONSE_SCHEMA, "response")
        try:
            response = Recorded.from_json(data)
        except ValueError as exc:  # body_base64 that matches the alphabet but not base64's padding
            raise RecordingError(file, number, f"bad response: body_base64 is not base64 ({exc})") from None
        problem = unservable(response)
        if problem:
            raise RecordingError(file, number, problem)
        if responses and response.t < responses[-1].t:
            raise RecordingError(
                file,
                number,
                f"t {response.t:g} is earlier than the line before ({responses[-1].t:g}); responses must be in time order",
            )
        responses.append(response)
    return Recording(file, header, tuple(responses))


def _numbered_objects(file: Path) -> Iterator[tuple[int, Any]]:
    try:
        handle = file.open("rb")
    except OSError as exc:
        raise RecordingError(file, None, f"cannot read it: {exc.strerror}") from None
    with handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise RecordingError(file, number, "not UTF-8 text") from None
            try:
                data = loads_bounded(text)
            except ValueError as exc:
                raise RecordingError(file, number, f"not a JSON line: {exc}") from None
            yield number, data


MAX_T_S = 10 * 365 * 86_400.0  # ten years of recording
MAX_LATENCY_MS = 600_000.0
BODILESS_STATUSES = frozenset({204, 205, 304})


def unservable(response: Recorded) -> str | None:
    """Why no HTTP server could send this answer again (None when one can): checked at load, not mid-replay."""
    if response.status < 200:
        return f"status {response.status} is not a final answer; a replay cannot send it"
    if response.status in BODILESS_STATUSES and response.content():
        return f"a {response.status} answer cannot carry a body"
    if response.t > MAX_T_S:
        return f"t {response.t:g} is more than ten years into the recording"
    if response.latency_ms is not None and response.latency_ms > MAX_LATENCY_MS:
        return f"latency_ms {response.latency_ms:g} is more than {MAX_LATENCY_MS:g}"
    content_type = response.content_type
    if content_type is not None and not (content_type.isascii() and content_type.isprintable()):
        return "content_type holds characters an HTTP header cannot carry"
    if response.path == "/tedapi/v1r" and response.status == 200:
        return _unservable_v1r(response.binary or b"")
    if response.path.startswith("/tedapi/device/"):
        addressed = response.path.removeprefix("/tedapi/device/").removesuffix("/v1")
        if addressed != response.device:
            return f"device {response.device} is not the one its path {response.path} asks ({addressed})"
    return None


def _unservable_v1r(body: bytes) -> str | None:
    """A replay answers a v1r request from the recorded RoutableMessage's envelope or fault: it must have one."""
    from google.protobuf.message import DecodeError  # protobuf: loaded only for a recording of v1r

    from emulator.tedapi.teg_emulator_v1r_pb2 import RoutableMessage

    message = RoutableMessage()
    try:
        message.ParseFromString(body)
    except DecodeError:
        return "a /tedapi/v1r answer is a RoutableMessage in body_base64; this one does not parse"
    if not (message.HasField("protobuf_message_as_bytes") or message.signed_message_status.message_fault):
        return "a /tedapi/v1r answer carries an envelope (field 10) or a message fault; this one has neither"
    return None


def _check(file: Path, number: int, data: Any, schema: str, what: str) -> None:
    error = best_match(contract.validator(schema).iter_errors(data))
    if error is not None:
        raise RecordingError(file, number, f"bad {what}: {describe(error)}")


def describe(error: ValidationError) -> str:
    where = "/".join(str(p) for p in error.absolute_path)
    if error.validator in ("anyOf", "not") and isinstance(error.schema, dict) and "description" in error.schema:
        message = str(error.schema["description"])
    else:
        message = error.message
        if len(message) > _MAX_SHOWN:
            message = message[: _MAX_SHOWN - 3] + "..."
    return f"{where}: {message}" if where else message
