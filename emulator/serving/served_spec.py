"""The spec a running emulator serves: its own firmware's /api/ operations, and its control API apart.

The repository's openapi.yaml describes every firmware and the emulator's control API at
once. A client pointing a tool (schemathesis, a code generator, Swagger UI) at a running
emulator wants what *this* gateway answers: the operations its firmware facts say it serves
(a replay: those recorded), secured the way that firmware logs in; and the control API in a
document of its own, so fuzzing the gateway never drives the emulator.
"""

from __future__ import annotations

import copy
import posixpath
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from emulator.contract import FirmwareFacts, Operation, load_spec, operations, schema

CONTROL_PREFIX = "/_emulator/"
_SECURITY: dict[str, list[dict[str, list[str]]]] = {
    "bearer": [{"bearerAuth": []}],
    # that token as a bearer, or the AuthCookie it sets. The bearer comes first, as in openapi.yaml: a tool
    # given `-H "Authorization: Bearer ..."` then sees its own credentials satisfy the first alternative
    # (schemathesis judges auth by the first scheme it finds in a request, and would call its own random
    # AuthCookie "generated auth" although the gateway accepted the bearer sent beside it).
    "cookies": [{"bearerAuth": []}, {"cookieAuth": []}],
}
# Tags the served document adds so a tool can leave out what a fuzzer must not call on the gateway it tests
# (`schemathesis run ... --exclude-tag disruptive --exclude-tag ends-session --exclude-tag firmware-error
# --exclude-tag sitemaster-stopped`): what each does is the real gateway's behaviour, kept by the emulator.
DISRUPTIVE = "disruptive"
ENDS_SESSION = "ends-session"
FIRMWARE_ERROR = "firmware-error"
SITEMASTER_STOPPED = "sitemaster-stopped"
_FUZZ_TAGS = {
    DISRUPTIVE: "Stops sitemaster (live reads then answer 502), islands the site, cuts the network or the owner's "
    "password (x-teg-safety: disruptive). Leave these out when fuzzing a gateway you want to keep testing.",
    ENDS_SESSION: "Ends the session it is called with (GET /api/logout): every later request with that token is "
    "refused, as on the real gateway. Leave it out when a tool sends one session with every request.",
    FIRMWARE_ERROR: "The firmware answers nothing but a server error here (GET /api/powerwalls/phase_usages: 500 "
    "on every real 21.x capture, running or stopped); a check that no answer is a 5xx can only report the firmware.",
    SITEMASTER_STOPPED: "Answers only while sitemaster is stopped (a commissioning read; x-teg-needs-sitemaster): "
    "while it runs, a valid request gets 400 'run sitemanager flag enabled, sitemanager process is running', "
    "as captured on 21.x.",
}


def gateway_operations(facts: FirmwareFacts, recorded: Iterable[tuple[str, str]] | None = None) -> list[Operation]:
    """The operations a gateway of this firmware answers (/api/, and the TEDAPI where it has one; not its web
    page); for a replay, the recorded ones and the login."""
    served = [op for op in operations() if op.path in facts.paths and op.path != "/" and op.serves(facts.version)]
    if recorded is None:
        return [op for op in served if not op.replay_only]
    keep = {(op.method, op.path) for op in served if op.route in ("login.Basic", "logout")}
    keep |= {(m, p) for m, p in recorded}
    return [op for op in served if (op.method, op.path) in keep]


@lru_cache(maxsize=16)
def gateway_document(facts: FirmwareFacts, base_url: str, recorded: frozenset[tuple[str, str]] | None) -> str:
    """The served /_emulator/openapi.yaml, as YAML text (built once per firmware, URL and recording)."""
    ops = gateway_operations(facts, recorded)
    what = "the recorded operations of a replay" if recorded is not None else "the operations it serves"
    document = _document(
        ops,
        base_url,
        title=f"Tesla Energy Gateway local API, firmware {facts.version} (teg-emulator)",
        description=(
            f"{what.capitalize()} on firmware {facts.version}, as this running emulator answers them. "
            f"Log in with POST /api/login/Basic (username {facts.username!r}) and send the session as "
            + (
                "the AuthCookie cookie it sets (or that token as a bearer)."
                if facts.cookie_sessions
                else "a bearer token."
            )
            + (
                " Each login stops sitemaster: GET /api/sitemaster/run restarts it."
                if facts.login_stops_sitemaster
                else ""
            )
            + f" The emulator's own control API is described at {CONTROL_PREFIX}control/openapi.yaml."
        ),
    )
    for op in ops:
        entry = document["paths"][op.path][op.method.lower()]
        access = facts.paths[op.path][op.method]
        if access in ("open", "signed"):  # signed: no HTTP credentials, the body carries a signature
            entry["security"] = []
        elif access == "login":
            entry["security"] = copy.deepcopy(_SECURITY[facts.credentials])
        elif access == "gateway_password":
            entry["security"] = [{"tedapiBasic": []}]
        elif access == "login_or_gateway_password":
            entry["security"] = [{"tedapiBasic": []}, *copy.deepcopy(_SECURITY[facts.credentials])]
        entry["tags"] = [*entry.get("tags", ()), *_fuzz_tags(op)]
    _describe_sessions(document, facts)
    used = {t for op in ops for t in _fuzz_tags(op)}
    document["tags"] += [{"name": name, "description": text} for name, text in _FUZZ_TAGS.items() if name in used]
    return _dump(document)


def _describe_sessions(document: dict[str, Any], facts: FirmwareFacts) -> None:
    """Say in the security schemes how this firmware refuses a session, from its facts: a tool (or a reader)
    then knows that a missing session is a 403 on 20.49+ and a 401 on 1.x."""
    schemes = document.get("components", {}).get("securitySchemes", {})
    missing, invalid = facts.missing_credentials.status, facts.invalid_credentials.status
    refusals = f"No session: {missing}; an unknown, expired or revoked one: {invalid}."
    for name in ("bearerAuth", "cookieAuth"):
        if name in schemes:
            schemes[name]["description"] = f"{schemes[name]['description']}. {refusals}"


def _fuzz_tags(op: Operation) -> list[str]:
    """What calling this operation does to a client's run, as tags a tool can filter on (see _FUZZ_TAGS)."""
    tags = []
    if op.safety == "disruptive":
        tags.append(DISRUPTIVE)
    if op.route == "logout":
        tags.append(ENDS_SESSION)
    statuses = [str(status) for status in op.responses]
    if not any(s.startswith("2") for s in statuses) and any(s.startswith("5") for s in statuses):
        tags.append(FIRMWARE_ERROR)  # no success documented, only the firmware's own server error
    if op.needs_sitemaster == "stopped":
        tags.append(SITEMASTER_STOPPED)
    return tags


@lru_cache(maxsize=4)
def control_document(base_url: str) -> str:
    """The served /_emulator/control/openapi.yaml: the emulator's own API (and its web pages)."""
    ops = [op for op in operations() if (op.path.startswith(CONTROL_PREFIX) or op.path == "/") and not op.fleet_only]
    document = _document(
        ops,
        base_url,
        title="teg-emulator control API",
        description="Driving the emulator: clock, grid, faults, journal, scenarios, state. Never on a real gateway.",
    )
    return _dump(document)


def _document(ops: list[Operation], base_url: str, *, title: str, description: str) -> dict[str, Any]:
    spec = load_spec()
    kept = {(op.path, op.method.lower()) for op in ops}
    ids = {op.operation_id for op in ops}
    paths: dict[str, Any] = {}
    for path, item in spec["paths"].items():
        methods = {m: v for m, v in item.items() if (path, m) in kept}
        if methods:
            shared = {k: v for k, v in item.items() if k == "parameters"}
            paths[path] = _relinked(copy.deepcopy({**shared, **methods}), ids)
    used_tags = {
        t for item in paths.values() for op in item.values() if isinstance(op, dict) for t in op.get("tags", ())
    }
    document = {
        "openapi": spec["openapi"],
        "info": {**spec["info"], "title": title, "description": description},
        "servers": [{"url": base_url}],
        "tags": [t for t in spec.get("tags", ()) if t["name"] in used_tags],
        "paths": paths,
        "components": copy.deepcopy(spec.get("components", {})),
    }
    return _bundle(document)


def _relinked(item: dict[str, Any], ids: set[str]) -> dict[str, Any]:
    """Drop OpenAPI links to operations this document does not have (a tool would follow them into a 404)."""
    for method, op in item.items():
        if method == "parameters" or not isinstance(op, dict):
            continue
        for response in op.get("responses", {}).values():
            links = response.get("links")
            if links is not None:
                response["links"] = {k: v for k, v in links.items() if v.get("operationId") in ids}
                if not response["links"]:
                    del response["links"]
    return item


def _bundle(document: dict[str, Any]) -> dict[str, Any]:
    """Every ``./schemas/...`` file the document refers to, inlined under components/schemas with local refs.

    One self-contained document: a tool reading it over HTTPS with a self-signed certificate (or
    offline) needs nothing else, and refs inside the schema files (``../common/meter.json``,
    ``#/$defs/x``) are rewritten against the file they appear in.
    """
    bundled: dict[str, Any] = {}
    pending: list[str] = []

    def local(name: str, fragment: str) -> str:
        key = name.removesuffix(".json").replace("/", "__").replace(".", "_")
        if key not in bundled and name not in pending:
            pending.append(name)
        return f"#/components/schemas/{key}" + fragment.removeprefix("#")

    def rewrite(node: Any, here: str | None) -> Any:
        if isinstance(node, dict):
            out = {}
            for k, v in node.items():
                if k in ("$id", "$schema") and here is not None:
                    continue
                if k == "$ref" and isinstance(v, str):
                    target, _, fragment = v.partition("#")
                    if v.startswith("./schemas/"):
                        v = local(target.removeprefix("./schemas/"), "#" + fragment)
                    elif here is not None and target:
                        v = local(posixpath.normpath(posixpath.join(posixpath.dirname(here), target)), "#" + fragment)
                    elif here is not None:
                        v = local(here, "#" + fragment)
                    out[k] = v
                else:
                    out[k] = rewrite(v, here)
            return out
        if isinstance(node, list):
            return [rewrite(v, here) for v in node]
        return node

    result: dict[str, Any] = rewrite(document, None)
    while pending:
        name = pending.pop()
        key = name.removesuffix(".json").replace("/", "__").replace(".", "_")
        bundled[key] = {}  # claimed before rewriting, so a self-reference does not queue it again
        bundled[key] = rewrite(schema(name), name)
    components = result.setdefault("components", {})
    components["schemas"] = {**components.get("schemas", {}), **bundled}
    return result


def _dump(document: dict[str, Any]) -> str:
    import yaml  # imported here for start-up speed: a served gateway needs it only when its spec is asked for

    return str(yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120))
