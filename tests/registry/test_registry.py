"""The registry loads the shipped config/ and names file, entry and field when broken."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gridedge.registry import RegistryError, load_registry, load_workflows
from gridedge.registry.loader import REPO_CONFIG_DIR


@pytest.fixture
def config(tmp_path: Path) -> Path:
    dst = tmp_path / "config"
    shutil.copytree(REPO_CONFIG_DIR, dst)
    return dst


def test_shipped_config_is_valid_and_every_workflow_loads() -> None:
    registry = load_registry(REPO_CONFIG_DIR)
    files = load_workflows(registry)
    assert [f.error for f in files] == [None] * len(files)
    assert {f.workflow.name for f in files if f.workflow} >= {
        "daily_load_forecast",
        "weekly_device_state",
        "quarter_hour_statistics",
    }
    assert registry.site("north").connection_id == "edge_north"


def test_template_merges_algorithm_application_and_step() -> None:
    registry = load_registry(REPO_CONFIG_DIR)
    t = registry.template("substation-load-forecast")
    assert t.image == "gridedge/xgboost:0.1.0"
    assert t.framework == "xgboost"
    assert t.args == [] and t.data_subpath == "features"
    assert t.params["label"] == "target" and t.params["max_depth"] == 6 and t.params["task"] == "regression"


def test_broken_workflow_names_file_entry_and_field_and_spares_the_others(config: Path) -> None:
    (config / "workflows" / "broken.yaml").write_text(
        "name: broken_flow\nsites: [north]\nsteps:\n  - id: s1\n    application: load-statistics\n    world_size: 0\n"
    )
    files = load_workflows(load_registry(config))
    broken = next(f for f in files if f.path.name == "broken.yaml")
    assert broken.error is not None
    text = str(broken.error)
    assert "broken.yaml" in text and "'broken_flow'" in text and "steps.0.world_size" in text
    assert sum(1 for f in files if f.workflow is not None) == 3


def test_unknown_site_and_application_list_what_is_registered(config: Path) -> None:
    (config / "workflows" / "x.yaml").write_text("name: x\nsites: [east]\nsteps:\n  - id: s1\n    application: nope\n")
    err = next(f.error for f in load_workflows(load_registry(config)) if f.path.name == "x.yaml")
    assert err is not None
    assert err.fields == ["sites.0", "steps.0.application"]
    assert "registered sites: north, south" in str(err)


def test_reserved_env_and_unknown_placeholder_are_rejected(config: Path) -> None:
    text = (config / "algorithms.yaml").read_text()
    text = text.replace('OMP_NUM_THREADS: "1"', 'RANK: "3"\n      PEERS: "${peers}"')
    (config / "algorithms.yaml").write_text(text)
    with pytest.raises(RegistryError) as info:
        load_registry(config)
    msg = str(info.value)
    assert "algorithms.yaml" in msg and "'xgboost-train'" in msg and "'env'" in msg
    assert "RANK is reserved" in msg


def test_unknown_placeholder_is_named(config: Path) -> None:
    text = (config / "algorithms.yaml").read_text().replace('OMP_NUM_THREADS: "1"', 'PEERS: "${peers}"')
    (config / "algorithms.yaml").write_text(text)
    with pytest.raises(RegistryError, match=r"unknown placeholder \$\{peers\}"):
        load_registry(config)


def test_site_typo_in_field_name_is_reported(config: Path) -> None:
    lines = (config / "sites.yaml").read_text().splitlines()
    south = lines.index("  south:")
    ns = next(i for i in range(south, len(lines)) if lines[i].strip().startswith("namespace:"))
    lines[ns] = lines[ns].replace("namespace:", "namespce:")
    (config / "sites.yaml").write_text("\n".join(lines) + "\n")
    with pytest.raises(RegistryError) as info:
        load_registry(config)
    assert info.value.problems[0].entry == "south"
    assert info.value.problems[0].field == "namespce"


def test_site_data_must_stay_inside_its_claim(config: Path) -> None:
    text = (config / "sites.yaml").read_text().replace("path: north}", "path: ../etc}")
    (config / "sites.yaml").write_text(text)
    with pytest.raises(RegistryError, match=r"'north', field 'data.path': must be a relative path"):
        load_registry(config)


def test_application_with_unknown_algorithm(config: Path) -> None:
    text = (config / "applications.yaml").read_text().replace("algorithm: grid-statistics", "algorithm: stats")
    (config / "applications.yaml").write_text(text)
    with pytest.raises(RegistryError, match="'load-statistics', field 'algorithm': unknown algorithm 'stats'"):
        load_registry(config)


def test_invalid_yaml_names_the_file(config: Path) -> None:
    (config / "workflows" / "bad.yaml").write_text("name: [unclosed\n")
    err = next(f.error for f in load_workflows(load_registry(config)) if f.path.name == "bad.yaml")
    assert err is not None and "bad.yaml" in str(err) and "not valid YAML" in str(err)


def test_duplicate_workflow_name(config: Path) -> None:
    shutil.copy(config / "workflows" / "weekly_device_state.yaml", config / "workflows" / "zz_copy.yaml")
    err = next(f.error for f in load_workflows(load_registry(config)) if f.path.name == "zz_copy.yaml")
    assert err is not None and "already used by weekly_device_state.yaml" in str(err)
