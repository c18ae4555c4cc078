"""A paced, bounded HTTP client that holds no implicit state.

A real gateway is someone's house: requests are spaced by ``pace_s`` and counted against
a budget, and credentials are sent only when a test asks for them (cookies a gateway sets
are never kept by the client, so an "anonymous" request really is anonymous).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest


class BudgetExhausted(pytest.skip.Exception):  # type: ignore[misc,name-defined]  # pytest exposes its Skipped class only as this attribute
    """The run has used every request it was allowed (``--max-requests``): what is left is skipped, saying so.

    A pytest skip outcome, so it skips a test whether it strikes in a fixture or in the test itself.
    """


class Unreachable(Exception):
    """The gateway did not answer at all (refused, timed out, not an HTTP server)."""


@dataclass(frozen=True)
class Credentials:
    token: str
    cookies: tuple[tuple[str, str], ...] = ()

    def headers(self, cookie_auth: bool) -> dict[str, str]:
        if cookie_auth:
            return {"cookie": "; ".join(f"{k}={v}" for k, v in self.cookies)}
        return {"authorization": f"Bearer {self.token}"}


FORGED = Credentials(
    token="Zm9yZ2VkLXRva2VuLWZvci10aGUtY29udHJhY3Qtc3VpdGUtMDEyMzQ1Njc4OQ==",
    cookies=(("AuthCookie", "Zm9yZ2VkLXRva2VuLWZvci10aGUtY29udHJhY3Qtc3VpdGU="), ("UserRecord", "e30=")),
)


@dataclass
class GatewayClient:
    base_url: str
    pace_s: float = 1.0
    max_requests: int = 1000
    timeout_s: float = 10.0
    used: int = 0
    observed: dict[str, Any] = field(default_factory=dict)  # last 200 JSON body per GET path, for the report
    _last: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        self._http = httpx.Client(base_url=self.base_url, verify=False, timeout=self.timeout_s)

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        json: Any = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        if self.used >= self.max_requests:
            raise BudgetExhausted(f"the budget of {self.max_requests} requests is spent (raise --max-requests)")
        wait = self._last + self.pace_s - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self.used += 1
        try:
            response = self._http.request(method, path, headers=headers, json=json, content=content)
        except httpx.TransportError as exc:
            raise Unreachable(f"{method} {self.base_url}{path}: {type(exc).__name__}: {exc or 'no answer'}") from None
        finally:
            self._last = time.monotonic()
            self._http.cookies.clear()
        if method == "GET" and response.status_code == 200 and _is_json(response):
            try:
                self.observed[path] = response.json()
            except ValueError:
                pass
        return response

    def close(self) -> None:
        self._http.close()


def _is_json(response: httpx.Response) -> bool:
    return str(response.headers.get("content-type", "")).startswith("application/json")
