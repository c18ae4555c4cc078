"""The contract, served: this gateway's spec, the control API's, their schemas, and a rendered reference
page (Swagger UI, vendored by a package)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import Receive, Scope, Send

from emulator import contract
from emulator.device.errors import not_found
from emulator.http.context import context
from emulator.serving.served_spec import control_document, gateway_document

if TYPE_CHECKING:
    from starlette.staticfiles import StaticFiles

_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>teg-emulator API reference</title>
  <link rel="stylesheet" href="/_emulator/docs/static/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/_emulator/docs/static/swagger-ui-bundle.js"></script>
  <script src="/_emulator/docs/static/swagger-ui-standalone-preset.js"></script>
  <script>
    window.ui = SwaggerUIBundle({
      urls: [
        {url: "/_emulator/openapi.yaml", name: "This gateway's /api/"},
        {url: "/_emulator/control/openapi.yaml", name: "The emulator's control API"}
      ],
      dom_id: "#swagger-ui", deepLinking: true,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: "StandaloneLayout"
    });
  </script>
</body>
</html>
"""
_YAML = "application/yaml"


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _recorded(request: Request) -> frozenset[tuple[str, str]] | None:
    """A replay's recorded (method, path template) pairs; None for a simulated gateway."""
    recorded = context(request).recorded_paths()
    if recorded is None:
        return None
    found = set()
    for path, methods in recorded.items():
        for method in methods:
            op = contract.operation_for(method, unquote(path))
            if op is not None:
                found.add((op.method, op.path))
    return frozenset(found)


async def openapi_yaml(request: Request) -> Response:
    facts = context(request).gateway.facts
    return Response(gateway_document(facts, _base_url(request), _recorded(request)), media_type=_YAML)


async def control_openapi_yaml(request: Request) -> Response:
    return Response(control_document(_base_url(request)), media_type=_YAML)


async def schema_file(request: Request) -> Response:
    root = contract.schemas_dir().resolve()
    target = (root / request.path_params["name"]).resolve()
    if not target.is_relative_to(root) or not target.is_file() or target.suffix != ".json":
        raise not_found("schema", request.path_params["name"])
    return FileResponse(target, media_type="application/schema+json")


async def docs_page(request: Request) -> Response:
    return HTMLResponse(_PAGE)


def _swagger_ui_dir() -> Path | None:
    try:
        import swagger_ui_bundle  # type: ignore[import-untyped]  # the bundle ships no type information
    except ImportError:
        return None
    return Path(swagger_ui_bundle.swagger_ui_path)


class _SwaggerAssets:
    """Swagger UI's files, found at the first request for one.

    Importing the bundle (it asks importlib.resources for its folder) cost ~8 ms of every start, which
    issue 13 counts against a bare app, for a page most runs never open. Without the bundle: 404.
    """

    def __init__(self) -> None:
        self._files: StaticFiles | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._files is None:
            assets = _swagger_ui_dir()
            if assets is None:
                raise HTTPException(status_code=404)
            from starlette.staticfiles import StaticFiles

            self._files = StaticFiles(directory=assets)
        await self._files(scope, receive, send)


def docs_routes() -> list[BaseRoute]:
    return [
        Route("/_emulator/openapi.yaml", openapi_yaml, methods=["GET"]),
        Route("/_emulator/control/openapi.yaml", control_openapi_yaml, methods=["GET"]),
        Route("/_emulator/schemas/{name:path}", schema_file, methods=["GET"]),
        Route("/_emulator/docs", docs_page, methods=["GET"]),
        Mount("/_emulator/docs/static", _SwaggerAssets(), name="swagger-ui"),
    ]
