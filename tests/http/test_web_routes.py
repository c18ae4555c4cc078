"""The two web pages over plain HTTP: what they are made of, that it all ships locally, and bad input.

What the pages *do* in a browser is pinned in test_web_ui.py.
"""

from __future__ import annotations

import re

import pytest

PAGES = ("/", "/_emulator/")


def referenced_assets(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/_emulator/static/[^"]+)"', html)


@pytest.mark.parametrize("path", PAGES)
def test_each_page_is_html_that_loads_only_local_assets(client, path):
    page = client.get(path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assets = referenced_assets(page.text)
    assert any(a.endswith(".css") for a in assets) and any(a.endswith(".js") for a in assets)
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200, asset
        assert served.headers["content-type"].split(";")[0] in ("text/css", "text/javascript"), asset
        assert not re.search(r"https?://", served.text), f"{asset} refers to the network"
    assert not re.search(r"https?://", page.text)


def test_the_pages_link_to_each_other(client):
    assert 'href="/_emulator/"' in client.get("/").text
    assert 'href="/"' in client.get("/_emulator/").text


def test_the_gateway_page_polls_the_three_live_endpoints(client):
    script = client.get("/_emulator/static/gateway.js").text
    for path in ("/api/meters/aggregates", "/api/system_status/soe", "/api/system_status/grid_status"):
        assert f'"{path}"' in script
    assert "REFRESH_MS = 500" in script


@pytest.mark.parametrize(
    "name",
    ["nope.js", "..%2fpyproject.toml", "%2e%2e", "gateway.html", "..%2f..%2fREADME.md", "style.css.bak", "a" * 300],
)
def test_unknown_or_escaping_asset_names_get_a_json_404(client, name):
    response = client.get(f"/_emulator/static/{name}")
    assert response.status_code == 404 and response.json()["code"] == 404


@pytest.mark.parametrize("path", [*PAGES, "/_emulator/credentials", "/_emulator/static/style.css"])
def test_writes_to_the_web_routes_get_a_json_405(client, path):
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        response = client.request(method, path, content=b"{nope")
        assert response.status_code == 405 and response.json()["code"] == 405, (method, path)


def test_credentials_say_the_password_and_that_a_1_15_login_would_stop_sitemaster(client):
    body = client.get("/_emulator/credentials").json()
    assert body == {
        "firmware": "1.15.0",
        "username": "customer",
        "password": "ST123456789",
        "login_stops_sitemaster": True,
    }


def test_credentials_log_the_page_in_on_24_4(make_client):
    client = make_client(firmware="24.4.0", password="s3cret")
    body = client.get("/_emulator/credentials").json()
    assert body["login_stops_sitemaster"] is False and body["password"] == "s3cret"
    assert client.get("/api/meters/aggregates").status_code == 403
    login = client.post(
        "/api/login/Basic", json={"username": body["username"], "password": body["password"], "email": ""}
    )
    assert login.status_code == 200
    assert client.get("/api/meters/aggregates").status_code == 200  # the AuthCookie the page's browser keeps


def test_the_page_is_journaled_like_any_request_but_its_assets_and_credentials_are_not(client):
    client.get("/")
    client.get("/_emulator/static/style.css")
    client.get("/_emulator/credentials")
    client.get("/_emulator/")
    journal = client.get("/_emulator/requests").json()["requests"]
    assert [(e["method"], e["path"], e["status"]) for e in journal] == [("GET", "/", 200)]


def test_head_works_on_the_pages(client):
    for path in PAGES:
        response = client.head(path)
        assert response.status_code == 200 and response.content == b""
