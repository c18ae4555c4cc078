"""The fleet a Kubernetes StatefulSet serves, read from its manifest (so the two cannot drift apart).

`teg-emulator fleet manifest --statefulset FILE` takes the replicas, the service name, the
namespace and the container's literal TEG_* variables and $PORT, exactly as the container's
entry point turns them into `serve` flags, and lists every member with its pod's DNS name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from emulator import numbers
from emulator.contract import facts_for
from emulator.device.defaults import GATEWAY_SERIAL
from emulator.serving.limits import fleet_size
from emulator.serving.options import DEFAULT_FIRMWARE, RunOptions
from emulator.serving.shards import Layout


def _option(name: str) -> Callable[[str], int]:
    parse: Callable[[str], int] = next(f.metadata["parse"] for f in fields(RunOptions) if f.name == name)
    return parse


_NUMBERS: dict[str, Callable[[str], int]] = {
    "TEG_GATEWAYS": fleet_size,  # serve --gateways
    "TEG_SHARDS": fleet_size,  # the K of --shard k/K
    "TEG_SEED": _option("seed"),
    "TEG_POWERWALLS": _option("powerwalls"),
    "PORT": numbers.port,
}
"""Each number a pod's entry point turns into a `serve` flag, read by that flag's own parser: a manifest
never lists a fleet whose pods would refuse to start."""


@dataclass(frozen=True)
class StatefulSetFleet:
    options: RunOptions
    gateways: int
    shards: int
    layout: Layout
    template: str


def _find(text: str) -> dict[str, Any]:
    import yaml  # imported here for start-up speed: every `teg-emulator` command builds this parser, few read YAML

    try:
        documents = [d for d in yaml.safe_load_all(text) if isinstance(d, dict)]
    except yaml.YAMLError as exc:
        raise ValueError(f"not YAML: {str(exc).splitlines()[0]}") from None
    for document in documents:
        if document.get("kind") == "StatefulSet":
            return document
    raise ValueError("no StatefulSet in it (render overlays first: kubectl kustomize DIR)")


def _env(statefulset: dict[str, Any]) -> dict[str, str]:
    """The first container's variables that have a literal value (valueFrom ones are per pod)."""
    try:
        container = statefulset["spec"]["template"]["spec"]["containers"][0]
    except (KeyError, IndexError, TypeError):
        raise ValueError("the StatefulSet has no container") from None
    return {e["name"]: str(e["value"]) for e in container.get("env") or [] if "value" in e}


def _int(env: dict[str, str], name: str, default: int) -> int:
    if name not in env:
        return default
    try:
        return _NUMBERS[name](env[name])
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None


def read_statefulset(text: str) -> StatefulSetFleet:
    """The fleet, or ValueError with a one-line reason (no StatefulSet, TEG_SHARDS not its replicas...)."""
    statefulset = _find(text)
    spec, meta = statefulset.get("spec") or {}, statefulset.get("metadata") or {}
    env = _env(statefulset)
    replicas = spec.get("replicas", 1)
    shards = _int(env, "TEG_SHARDS", 1)
    if shards != replicas:
        raise ValueError(f"TEG_SHARDS={shards} but replicas={replicas}: every pod must serve one shard")
    firmware = env.get("TEG_FIRMWARE", DEFAULT_FIRMWARE)
    tls = facts_for(firmware).uses_tls
    if env.get("TEG_TLS", "").lower() == "true":
        tls = True
    if env.get("TEG_NO_TLS", "").lower() == "true":
        tls = False
    options = RunOptions(
        firmware=firmware,
        gateway_serial=env.get("TEG_GATEWAY_SERIAL", GATEWAY_SERIAL),
        password=env.get("TEG_PASSWORD"),
        gw_password=env.get("TEG_GW_PASSWORD"),
        seed=_int(env, "TEG_SEED", 0),
        powerwalls=_int(env, "TEG_POWERWALLS", 1),
    )
    layout = Layout(env.get("TEG_FLEET_MODE", "ports"), "https" if tls else "http", _int(env, "PORT", 8080), True)
    name, service = meta.get("name", "teg-emulator"), spec.get("serviceName", "")
    namespace = meta.get("namespace", "default")
    template = f"{layout.scheme}://{name}-{{k}}.{service}.{namespace}.svc.cluster.local:{{port}}"
    return StatefulSetFleet(options, _int(env, "TEG_GATEWAYS", 1), shards, layout, template)
