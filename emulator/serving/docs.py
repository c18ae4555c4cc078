"""The contract, served: the spec, its schemas, and a rendered reference page (Swagger UI, vendored by a package)."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from emulator import contract
from emulator.device.errors import not_found

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
  <script>
    window.ui = SwaggerUIBundle({url: "/_emulator/openapi.yaml", dom_id: "#swagger-ui", deepLinking: true});
  </script>
</body>
</html>
"""


async def openapi_yaml(request: Request) -> Response:
    return FileResponse(contract.spec_path(), media_type="application/yaml")


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
        import swagger_ui_bundle
    except ImportError:
        return None
    return Path(swagger_ui_bundle.swagger_ui_path)


def docs_routes() -> list[BaseRoute]:
    routes: list[BaseRoute] = [
        Route("/_emulator/openapi.yaml", openapi_yaml, methods=["GET"]),
        Route("/_emulator/schemas/{name:path}", schema_file, methods=["GET"]),
        Route("/_emulator/docs", docs_page, methods=["GET"]),
    ]
    assets = _swagger_ui_dir()
    if assets is not None:
        routes.append(Mount("/_emulator/docs/static", StaticFiles(directory=assets), name="swagger-ui"))
    return routes
