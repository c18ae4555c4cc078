"""Errors are values: a status and the gateway's ``{code, error, message}`` body.

Raised from the gateway (or a route's input checks) and rendered once by the
app, so every error a client sees has the same shape real gateways use.
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


def bad_request(message: str, error: str = "Bad Request") -> GatewayError:
    return GatewayError(400, error, message)


def not_found(message: str = "The requested resource was not found") -> GatewayError:
    return GatewayError(404, "Not Found", message)


API_LIMIT = ErrorText(429, "Api Limit reached for this endpoint", "API Limit Reached")
"""The throttling 429 for a profile whose facts state none (a throttle forced on from the command line)."""
