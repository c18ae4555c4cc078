"""The recorder's side of the conversation with a gateway: GETs, and the login its firmware needs.

Only GET is ever sent, plus POST /api/login/Basic on firmware that needs a
session and, given the gateway password, the TEDAPI's read-only POST /tedapi/v1
requests (system information, config.json, the live status), or given the owner's
key, the same reads signed to POST /tedapi/v1r. The gateway's self-signed certificate is accepted, as every local
client does. Every failure becomes a :class:`RecordError` with one line that
says what went wrong and where, never a traceback.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from emulator.contract import facts_for_reported
from emulator.replay.format import Recorded, decode_body, is_binary

USER_AGENT = "teg-emulator-record/0.1"


class RecordError(Exception):
    """Recording cannot start or go on; the message is the one line the user sees."""


class LoginError(RecordError):
    """The gateway refused the login: retrying would only earn a throttling 429."""


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str | None
    content: bytes
    latency_ms: float

    def json(self) -> Any:
        try:
            return json.loads(self.content)
        except ValueError:
            return None

    def recorded(
        self, t: float, method: str, path: str, request: str | None = None, device: str | None = None
    ) -> Recorded:
        """This answer as a recording's line: a protobuf body kept as bytes, any other decoded."""
        if is_binary(self.content_type) and self.status < 400:
            return Recorded(
                t, method, path, self.status, self.content_type, latency_ms=self.latency_ms, binary=self.content,
                request=request, device=device,
            )  # fmt: skip
        body, text = decode_body(self.content, self.content_type)
        return Recorded(
            t, method, path, self.status, self.content_type, body, text, self.latency_ms, request=request, device=device
        )


def profile_for(version: str) -> str:
    """The emulator profile closest to a firmware version string such as ``"23.44.0 9064fc6a"``."""
    try:
        return facts_for_reported(version).version
    except ValueError:
        raise RecordError(
            f"cannot read the firmware version {version.strip()!r} that GET /api/status reported"
        ) from None


def base_urls(url: str) -> list[str]:
    """The URLs to try: the one given, or for a bare host HTTPS first, then HTTP."""
    if "://" in url:
        return [url.rstrip("/")]
    return [f"https://{url.rstrip('/')}", f"http://{url.rstrip('/')}"]


def describe_failure(exc: Exception, base: str, timeout_s: float) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"{base} did not answer within {timeout_s:g} s"
    text = str(exc).strip() or type(exc).__name__
    if "SSL" in text or "ssl" in text:
        hint = " (is it plain HTTP? try http://)" if base.startswith("https") else ""
        return f"TLS with {base} failed: {_one_line(text)}{hint}"
    return f"cannot reach {base}: {_one_line(text)}"


def _one_line(text: str) -> str:
    return " ".join(text.split())[:200]


class RecordingClient:
    """The recorder's client of one gateway: one connection pool, one session (cookies and bearer token both kept).

    Not the contract suite's ``contract_tests.client.GatewayClient`` (paced, bounded, stateless): this one keeps a
    login and times each answer, because what it reads becomes a recording."""

    def __init__(self, base_url: str, timeout_s: float) -> None:
        self.base_url = base_url
        self.timeout_s = timeout_s
        self.tls = urlsplit(base_url).scheme == "https"
        self._http = httpx.Client(
            base_url=base_url,
            verify=False,
            timeout=timeout_s,
            follow_redirects=False,
            headers={"user-agent": USER_AGENT},
        )
        self._token: str | None = None

    def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        """A GET with this session's token, or with ``headers`` (the TEDAPI's Basic auth) instead."""
        if headers is None:
            headers = {"authorization": f"Bearer {self._token}"} if self._token else {}
        return self._send("GET", path, headers)

    def post_protobuf(self, path: str, body: bytes, headers: dict[str, str]) -> Answer:
        return self._send("POST", path, {**headers, "content-type": "application/octet-stream"}, body)

    def _send(self, method: str, path: str, headers: dict[str, str], body: bytes | None = None) -> Answer:
        began = time.monotonic()
        try:
            response = self._http.request(method, path, headers=headers, content=body)
        except httpx.HTTPError as exc:
            raise RecordError(describe_failure(exc, self.base_url, self.timeout_s)) from None
        latency = (time.monotonic() - began) * 1000
        return Answer(response.status_code, response.headers.get("content-type"), response.content, round(latency, 3))

    def login(self, password: str, email: str) -> None:
        """The customer login of firmware 20.49+: cookies AuthCookie/UserRecord and a bearer token."""
        body = {"username": "customer", "password": password, "email": email, "force_sm_off": False}
        try:
            response = self._http.post("/api/login/Basic", json=body)
        except httpx.HTTPError as exc:
            raise RecordError(describe_failure(exc, self.base_url, self.timeout_s)) from None
        if response.status_code == 429:
            raise LoginError(
                f"{self.base_url} is throttling logins (429 after too many wrong passwords); wait a few minutes"
            )
        if response.status_code in (401, 403):
            raise LoginError(f"{self.base_url} refused the login ({response.status_code}): wrong --password?")
        if response.status_code != 200:
            raise LoginError(f"{self.base_url} answered the login with {response.status_code}")
        token = _field(response, "token")
        self._token = token if isinstance(token, str) and token else None

    @property
    def logged_in(self) -> bool:
        return self._token is not None

    def logout(self) -> None:
        """Best effort: leave no session behind on the gateway."""
        if self._token is None and not self._http.cookies:
            return
        try:
            self._http.get(
                "/api/logout", headers={"authorization": f"Bearer {self._token}"} if self._token else {}, timeout=2.0
            )
        except httpx.HTTPError:
            pass
        self._token = None

    def close(self) -> None:
        self._http.close()


def _field(response: httpx.Response, name: str) -> Any:
    try:
        data = response.json()
    except ValueError:
        return None
    return data.get(name) if isinstance(data, dict) else None


def connect(url: str, timeout_s: float) -> tuple[RecordingClient, dict[str, Any] | None]:
    """A client for the first base URL whose GET /api/status looks like a gateway's, and that status
    (None where it answers 404: a Powerwall 3, which the recorder identifies by its TEDAPI)."""
    failure = ""
    for base in base_urls(url):
        client = RecordingClient(base, timeout_s)
        try:
            answer = client.get("/api/status")
        except RecordError as exc:
            failure = str(exc)
            client.close()
            continue
        status = answer.json()
        if answer.status == 200 and isinstance(status, dict) and isinstance(status.get("version"), str):
            return client, status
        if answer.status == 404 and client.tls:
            return client, None
        client.close()
        failure = f"{base} does not look like a Tesla Energy Gateway: GET /api/status answered {answer.status} without a firmware version"
    raise RecordError(failure)
