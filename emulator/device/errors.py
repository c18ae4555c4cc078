"""Errors are values: a status and the gateway's ``{code, error, message}`` body.

Raised from the gateway (or a route's input checks) and rendered once by the
app, so every error a client sees has the same shape real gateways use.

:data:`TEXTS` is the one table of what the emulator itself says to a client
(bad bodies, unknown paths, its own control API). Texts a real firmware is
known to send (credentials, 1.15.0's quirks) are firmware facts and live with
the profiles and the contract instead.
"""

from __future__ import annotations

from emulator.contract import ErrorText


class GatewayError(Exception):
    """An HTTP-visible failure. ``empty_body`` reproduces the 502 a stopped sitemaster gives."""

    def __init__(self, status: int, error: str, message: str, *, empty_body: bool = False) -> None:
        super().__init__(f"{status} {error}: {message}")
        self.status = status
        self.error = error
        self.message = message
        self.empty_body = empty_body

    @classmethod
    def of(cls, text: ErrorText, method: str = "GET") -> GatewayError:
        """The error a firmware fact states (its ``{method}`` filled in)."""
        return cls(text.status, text.error.format(method=method), text.message, empty_body=text.empty_body)

    def body(self) -> dict[str, object] | None:
        if self.empty_body:
            return None
        return {"code": self.status, "error": self.error, "message": self.message}


TEXTS: dict[str, ErrorText] = {
    # request bodies and query strings (every route)
    "body_too_large": ErrorText(413, "Payload Too Large", "request body exceeds {limit} bytes"),
    "body_required": ErrorText(400, "Bad Request", "a JSON request body is required"),
    "form_unparsable": ErrorText(400, "Bad Request", "form body could not be parsed"),
    "json_malformed": ErrorText(400, "Bad Request", "malformed JSON body: {detail}"),
    "body_invalid": ErrorText(400, "Bad Request", "{detail}"),
    "query_not_whole": ErrorText(400, "Bad Request", "query parameter {name} must be a whole number, not {raw!r}"),
    "query_unknown": ErrorText(400, "Bad Request", "unknown filter(s): {names}"),
    "client_gone": ErrorText(400, "Bad Request", "the client went away before sending its whole body"),
    "control_json_only": ErrorText(
        415, "Unsupported Media Type", "control API bodies must be sent as application/json"
    ),
    # paths and methods
    "not_found": ErrorText(404, "Not Found", "{path} was not found"),
    "method_not_allowed": ErrorText(405, "Method Not Allowed", "{method} is not allowed on {path}"),
    "not_on_firmware": ErrorText(404, "Not Found", "{path} is not available on firmware {version}"),
    "not_recorded": ErrorText(404, "Not Found", "{path} was not recorded in {file}"),
    "no_such": ErrorText(404, "Not Found", "no {what} {name!r}"),
    "meter_mismatch": ErrorText(400, "Bad Request", "serial in the body does not match the meter in the path"),
    # the TEDAPI (/tedapi/din, /tedapi/v1): HTTP Basic with the gateway password, protobuf bodies
    "tedapi_no_credentials": ErrorText(
        401, "Unauthorized", "HTTP Basic credentials for Tesla_Energy_Device are required"
    ),
    "tedapi_bad_credentials": ErrorText(403, "Forbidden", "bad credentials"),
    "tedapi_not_protobuf": ErrorText(400, "Bad Request", "body is not a TEDAPI protobuf message: {detail}"),
    "tedapi_unknown_request": ErrorText(
        400, "Bad Request", "unknown TEDAPI request: expected a system-info request, a config.json read or a query"
    ),
    "config_hash_stale": ErrorText(
        409, "Conflict", "config.json changed since it was read: read it again and send the hash it comes with"
    ),
    "backup_event_scheduled": ErrorText(
        412, "Precondition Failed", "a manual backup event is scheduled: cancel it before scheduling another"
    ),
    "command_refused": ErrorText(412, "Precondition Failed", "{detail}"),
    "tedapi_body_required": ErrorText(400, "Bad Request", "a RoutableMessage request body is required"),
    "tedapi_unsigned": ErrorText(
        403, "Forbidden", "the query carries no signature; the gateway runs signed queries only"
    ),
    # the gateway's state
    "login_throttled": ErrorText(429, "Api Limit reached for this endpoint", "API Limit Reached"),
    "scenario_conflict": ErrorText(409, "Conflict", "{detail}"),
    "no_bundled_scenario": ErrorText(
        404, "Not Found", "no bundled scenario {name!r}; GET /_emulator/scenarios lists them"
    ),
    # the emulator itself
    "unexpected": ErrorText(500, "Internal Server Error", "the emulator failed to answer; see its log"),
}


def error(key: str, **fields: object) -> GatewayError:
    """The error :data:`TEXTS` names ``key``, its message filled from ``fields``."""
    text = TEXTS[key]
    return GatewayError(text.status, text.error, text.message.format(**fields))


def bad_request(message: str) -> GatewayError:
    """A 400 whose message was composed by a validator (schema paths, rule errors)."""
    return error("body_invalid", detail=message)


def not_found(what: str, name: str) -> GatewayError:
    """A 404 for a named thing the client asked for: ``no meter 'VAH123'``."""
    return error("no_such", what=what, name=name)


API_LIMIT = TEXTS["login_throttled"]
"""The throttling 429 for a profile whose facts state none (a throttle forced on from the command line)."""
