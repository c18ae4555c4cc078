"""Auth: every protected endpoint refuses no, forged and revoked credentials; logins behave."""

from __future__ import annotations

import pytest

from contract_tests.client import FORGED, Credentials
from contract_tests.spec import body_problems, protected_reads
from contract_tests.target import Target
from emulator.contract import Operation, operation_for

REPORT_AREA = "authentication"


def protected(profile: str) -> list[Operation]:
    """Protected reads with a fixed path (a templated one would need a login to fill in its parameter)."""
    return [op for op in protected_reads(profile) if "{" not in op.path]


def _refusal(target: Target, op: Operation, credentials: Credentials | bool, kind: str) -> None:
    response = target.request("GET", op.path, auth=credentials)
    allowed = {401} if kind != "no" else {401, 403}
    assert response.status_code in allowed and op.documents(response.status_code), (
        f"GET {op.path} with {kind} credentials answered {response.status_code}, expected {' or '.join(map(str, sorted(allowed)))}"
    )
    name = op.response_schema(response.status_code)
    if name:
        problems = body_problems(f"GET {op.path} ({kind} credentials)", name, response.json())
        assert not problems, "\n".join(problems)


# First: the checks below lean on a login, so a login that answers wrongly fails here, in its own words.
def test_login_answers_as_the_contract_says(target: Target) -> None:
    response = target.login()
    assert response.status_code == 200, f"POST /api/login/Basic answered {response.status_code}"
    op = operation_for("POST", "/api/login/Basic")
    assert op is not None
    problems = body_problems("POST /api/login/Basic", op.response_schema(200) or "", response.json())
    assert not problems, "\n".join(problems)
    if target.facts.cookie_sessions:
        assert {"AuthCookie", "UserRecord"} <= set(response.cookies), f"login set cookies {sorted(response.cookies)}"
    target.logout(Credentials(response.json()["token"], tuple(response.cookies.items())))


@pytest.fixture(scope="module")
def revoked(target: Target) -> Credentials:
    credentials = target.new_session()
    response = target.logout(credentials)
    assert response.status_code in (200, 204), f"GET /api/logout answered {response.status_code}"
    return credentials


@pytest.mark.endpoints(select=protected)
def test_protected_endpoint_refuses_no_credentials(target: Target, op: Operation) -> None:
    _refusal(target, op, False, "no")


@pytest.mark.endpoints(select=protected)
def test_protected_endpoint_refuses_forged_credentials(target: Target, op: Operation) -> None:
    _refusal(target, op, FORGED, "forged")


@pytest.mark.serves("GET /api/logout")
@pytest.mark.endpoints(select=protected)
def test_protected_endpoint_refuses_revoked_credentials(target: Target, op: Operation, revoked: Credentials) -> None:
    _refusal(target, op, revoked, "revoked")


def test_wrong_password_is_refused(target: Target) -> None:
    response = target.login(password=target.password + "-wrong")
    assert response.status_code == 401, f"POST /api/login/Basic with a wrong password answered {response.status_code}"
    op = operation_for("POST", "/api/login/Basic")
    assert op is not None
    problems = body_problems("POST /api/login/Basic (wrong password)", op.response_schema(401) or "", response.json())
    assert not problems, "\n".join(problems)


@pytest.mark.serves("GET /api/logout")
def test_logout_revokes_the_session(target: Target) -> None:
    protected = protected_reads(target.facts.version)
    path = next(op.path for op in protected if "{" not in op.path)
    credentials = target.new_session()
    assert target.request("GET", path, auth=credentials).status_code == 200, f"GET {path} refused a fresh session"
    assert target.logout(credentials).status_code in (200, 204)
    after = target.request("GET", path, auth=credentials).status_code
    assert after == 401, f"GET {path} after logout answered {after}, expected 401"
