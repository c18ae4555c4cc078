"""The contract, served: this gateway's spec, the control API's, their schemas, and a rendered reference
page (Swagger UI, vendored by a package)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from emulator import contract
from emulator.device.errors import not_found
from emulator.serving.context import context
from emulator.serving.served_spec import control_document, gateway_document

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
    facts = context(request).gateway.profile.facts
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


def docs_routes() -> list[BaseRoute]:
    routes: list[BaseRoute] = [
        Route("/_emulator/openapi.yaml", openapi_yaml, methods=["GET"]),
        Route("/_emulator/control/openapi.yaml", control_openapi_yaml, methods=["GET"]),
        Route("/_emulator/schemas/{name:path}", schema_file, methods=["GET"]),
        Route("/_emulator/docs", docs_page, methods=["GET"]),
    ]
    assets = _swagger_ui_dir()
    if assets is not None:
        routes.append(Mount("/_emulator/docs/static", StaticFiles(directory=assets), name="swagger-ui"))
    return routes
