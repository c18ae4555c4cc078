"""What the contract (openapi.yaml + schemas/) says a response must be, as readable complaints.

Each check returns a list of problems, each naming the endpoint, the field and the value,
so a failing test (and the verify report) says exactly what a gateway got wrong.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from emulator.contract import Operation, operations, validator


def reads(profile: str | None = None) -> list[Operation]:
    """GET operations that only observe (x-teg-safety: read), optionally only those of one profile."""
    return [
        op
        for op in operations()
        if op.method == "GET"
        and op.path.startswith("/api/")
        and op.safety == "read"
        and (profile is None or op.serves(profile))
    ]


def protected_reads(profile: str) -> list[Operation]:
    return [op for op in reads(profile) if op.needs_login(profile)]


NOT_NORMAL = {401, 403, 502}  # no session, or sitemaster stopped
BAD_BODY = {400, 413}  # a request body the gateway refused


def normal_statuses(op: Operation) -> list[int]:
    """What an authenticated request answers while sitemaster runs.

    Usually 200; but some reads answer a documented refusal in normal operation (409 from
    powerwalls/status, 400 from ct_voltage_references/options while sitemaster runs).
    """
    excluded = NOT_NORMAL | (BAD_BODY if op.method != "GET" else set())
    return sorted(int(s) for s in op.responses if int(s) not in excluded)


def response_problems(op: Operation, response: httpx.Response, *, expect_normal: bool = True) -> list[str]:
    """Status documented (and a success when the operation has one), content type, body schema."""
    where = f"{op.method} {response.request.url.path}"
    status = response.status_code
    if not op.documents(status):
        documented = ", ".join(sorted(op.responses))
        return [
            f"{where}: status {status} is not in the contract (documented: {documented}); body {_excerpt(response)}"
        ]
    normal = normal_statuses(op)
    if expect_normal and normal and status not in normal:
        return [f"{where}: status {status}, expected {' or '.join(map(str, normal))}; body {_excerpt(response)}"]
    name = op.response_schema(status)
    content_type = response.headers.get("content-type", "")
    media = op.media_type(status)
    if media is not None and media != "application/json":  # a binary body: the vitals protobuf
        if not content_type.startswith(media) or not response.content:
            return [f"{where}: content-type {content_type!r} with {len(response.content)} bytes, expected {media}"]
        return []
    if name is None:
        return []
    if not content_type.startswith("application/json"):
        return [f"{where}: content-type {content_type!r}, expected application/json"]
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError) as exc:
        return [f"{where}: body is not JSON ({exc}): {_excerpt(response)}"]
    return body_problems(where, name, body)


def body_problems(where: str, schema_name: str, body: Any) -> list[str]:
    problems = []
    for error in sorted(validator(schema_name).iter_errors(body), key=lambda e: list(e.absolute_path))[:10]:
        field = _field(error.absolute_path)
        problems.append(f"{where}: field {field}: {error.message} (value {_short(error.instance)})")
    return problems


def _field(path: Any) -> str:
    text = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
    return text.lstrip(".") or "(body)"


def _short(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def _excerpt(response: httpx.Response) -> str:
    text = response.text
    return repr(text if len(text) <= 120 else text[:117] + "...")
