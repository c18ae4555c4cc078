"""schemathesis hooks that send the TEDAPI real protobuf ``Frame``s, so fuzzing it tests the gateway, not the parser.

Use it by name (the package must be importable by the Python that runs schemathesis)::

    SCHEMATHESIS_HOOKS=emulator.tedapi.schemathesis_hooks schemathesis run $URL/_emulator/openapi.yaml \\
        --include-tag tedapi --auth Tesla_Energy_Device:$GW_PASSWORD ...

Why it is needed: the TEDAPI's request bodies are protobuf, which OpenAPI can only declare as
``type: string, format: binary``. To schemathesis any bytes are then valid, so it sends a PNG or
random bytes as "positive" data, the gateway rightly refuses them with 400 ("not a TEDAPI protobuf
message"), and ``positive_data_acceptance`` reports the refusal as a bug. The spec therefore says
which message the bytes are -- ``x-teg-protobuf: teg_emulator.tedapi.Frame`` on the request
body's media type (see openapi.yaml) -- and this module, when schemathesis loads a document,
registers for each media type so marked :func:`emulator.tedapi.frames.frames`, which draws the
requests pypowerwall makes. It also reads text/plain answers as text, so ``GET /tedapi/din`` is
checked against its schema and its DIN follows the spec's link to ``POST /tedapi/device/{din}/v1``.

What it cannot do, and why (schemathesis 4.x): a strategy registered for a media type is used for
that body in every generation mode (``_get_body_strategy``: "Always use custom strategies for raw
bodies"), and a binary body is never negated (``OpenApiBody.is_negatable`` drops ``type`` and
``format``, leaving nothing to violate), so schemathesis sends no *negative* TEDAPI bodies at all --
with or without these hooks. tests/http/test_tedapi_fuzz.py sends those (any bytes, and well-formed
frames with wrong parts) and checks every answer is documented; tests/http/test_tedapi.py that a body
which is not a Frame gets 400.

A media type marked here must not also carry other bodies in the same document: the registration is
global, so such a document is refused at load rather than fuzzed with Frames where they do not belong.
The one exception is TEDAPI v1r's ``RoutableMessage`` on the same media type: its operation gets
:func:`emulator.tedapi.frames.routables` instead, through ``before_generate_body``, signed with the key
``$TEG_V1R_KEY`` names (a private key PEM file the target holds verified: ``serve --authorized-key``, the
control API's ``POST /_emulator/authorized_clients``, or a real Powerwall 3's registered key) for the DIN
``$TEG_V1R_DIN`` names, and signed again just before each is sent (``before_call``), since a signature
lives 12 s. Without ``$TEG_V1R_KEY`` they go unsigned, and the gateway refuses each with a message fault.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis import DeserializationContext, HookContext, Response

from emulator.tedapi.frames import (
    ROUTABLE,
    frames,
    marked_media_types,
    operation_kind,
    resigned,
    routables,
    signer_from_env,
)

SIGNER = signer_from_env()  # read when schemathesis loads these hooks: a bad key stops it before any request


@schemathesis.deserializer("text/plain")
def text(context: DeserializationContext, response: Response) -> str:
    """GET /tedapi/din's answer as the string its schema describes: checked against the DIN pattern, and the
    value the spec's link passes on to POST /tedapi/device/{din}/v1 (schemathesis reads no text/plain itself)."""
    return response.content.decode(response.encoding or "utf-8")


@schemathesis.hook
def before_load_schema(context: HookContext, raw_schema: dict[str, Any]) -> None:
    """Register the Frame strategy for the media types this document marks, before any body is drawn."""
    for media_type in sorted(marked_media_types(raw_schema)):
        schemathesis.openapi.media_type(media_type, frames())


@schemathesis.hook
def before_generate_body(context: HookContext, strategy: Any) -> Any:
    """A v1r operation, whose media type is also a Frame's, gets RoutableMessages instead, signed by SIGNER."""
    if _routable(context):
        return routables(SIGNER)
    return strategy


@schemathesis.hook
def before_call(context: HookContext, case: Any, **kwargs: Any) -> None:
    """A signed v1r request is signed again as it leaves: a fresh expiry, whenever the example was drawn."""
    if SIGNER is not None and isinstance(case.body, bytes) and _routable(context):
        case.body = resigned(case.body, SIGNER)


def _routable(context: HookContext) -> bool:
    operation = context.operation
    return operation is not None and operation_kind(operation.definition.raw) == ROUTABLE
