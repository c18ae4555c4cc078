"""The request journal answers questions about a client's behaviour."""

from __future__ import annotations

import time

import httpx
import pypowerwall
import pytest


@pytest.mark.teg_emulator(firmware="24.4.0", speed=0)
def test_the_client_logged_in_once_and_polled_aggregates_no_faster_than_every_5_s(teg_emulator, tmp_path):
    pw = pypowerwall.Powerwall(
        teg_emulator.host, password=teg_emulator.password, cachefile=str(tmp_path / ".pw"), pwcacheexpire=5
    )
    for _ in range(10):
        pw.power()  # pypowerwall caches bodies for 5 s: ten calls, one poll

    logins = teg_emulator.requests(method="POST", path="/api/login/Basic")
    polls = teg_emulator.requests(method="GET", path="/api/meters/aggregates", status=200)
    assert len(logins) == 1 and logins[0]["status"] == 200
    assert len(polls) == 1


@pytest.mark.teg_emulator(firmware="24.4.0", speed=0)
def test_poll_spacing_can_be_read_from_the_journal(teg_emulator, tmp_path):
    """The same question over several polls, with a 0.3 s cache so the test stays short."""
    pw = pypowerwall.Powerwall(
        teg_emulator.host, password=teg_emulator.password, cachefile=str(tmp_path / ".pw"), pwcacheexpire=0.3
    )
    # Poll until the gateway has seen three reads (about 0.6 s on a quiet machine), not for a fixed time:
    # on a loaded runner the login alone can eat a fixed window. The 30 s limit only stops a broken client.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(teg_emulator.requests(path="/api/meters/aggregates", status=200)) < 3:
        pw.power()
        time.sleep(0.02)
    polls = teg_emulator.requests(method="GET", path="/api/meters/aggregates", status=200)
    gaps = [b["real_time"] - a["real_time"] for a, b in zip(polls, polls[1:], strict=False)]
    assert len(polls) >= 3 and all(gap >= 0.3 for gap in gaps)
    assert len(teg_emulator.requests(path="/api/login/Basic")) == 1


# A password no journal number can contain by chance (the default, "56789", matched a timestamp's digits).
@pytest.mark.teg_emulator(firmware="24.4.0", password="not-in-any-float")
def test_credentials_never_enter_the_journal(teg_emulator):
    with httpx.Client(base_url=teg_emulator.url, verify=False) as client:
        login = {"username": "customer", "password": teg_emulator.password}
        token = client.post("/api/login/Basic", json=login).json()["token"]
        client.get("/api/operation", headers={"Authorization": f"Bearer {token}"})
        client.post("/api/login/Basic", data={"username": "customer", "password": "form-secret"})
    text = str(teg_emulator.requests())
    for secret in (teg_emulator.password, token, "form-secret"):
        assert secret not in text
    login = teg_emulator.requests(path="/api/login/Basic")[0]
    assert '"password": "***"' in login["body"] and "authorization" not in login["headers"]


@pytest.mark.teg_emulator(firmware="1.15.0")
def test_filters_and_clearing(teg_emulator):
    for path in ("/api/status", "/api/meters/aggregates", "/api/nope"):
        httpx.get(teg_emulator.url + path)
    assert [e["path"] for e in teg_emulator.requests(path="/api/meters/*")] == ["/api/meters/aggregates"]
    assert [e["status"] for e in teg_emulator.requests(status=404)] == [404]
    first = teg_emulator.requests()[0]["seq"]
    assert len(teg_emulator.requests(since=first)) == 2
    assert len(teg_emulator.requests(limit=1)) == 1
    bad = httpx.get(teg_emulator.url + "/_emulator/requests", params={"status": "teapot"})
    assert bad.status_code == 400
    assert httpx.get(teg_emulator.url + "/_emulator/requests", params={"colour": "red"}).status_code == 400
    httpx.delete(teg_emulator.url + "/_emulator/requests")
    assert teg_emulator.requests() == []
    httpx.get(teg_emulator.url + "/api/status")
    teg_emulator.reset()
    assert teg_emulator.requests() == []


def test_the_journal_is_bounded():
    from emulator.http.journal import Journal, JournalEntry

    journal = Journal(size=3)
    for i in range(5):
        journal.add(JournalEntry(journal.next_seq(), i, 0, "GET", "/api/status", "", (), "", 200, 1.0, None))
    assert [e.seq for e in journal.query()] == [3, 4, 5]
