"""A missing or broken tool gives one clear sentence, not a hang or a deep stack trace."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

from gridedge.devstack import ports, provision
from gridedge.devstack.errors import DevStackError, PortInUseError, ToolMissingError
from gridedge.devstack.kafka import KafkaBroker
from gridedge.devstack.paths import SCRIPTS_DIR


def test_missing_java_names_the_tool_and_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("GRIDEDGE_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(ToolMissingError) as err:
        KafkaBroker(tmp_path, tmp_path, "4.1.1").start()
    assert "'java'" in str(err.value) and "openjdk" in str(err.value)


def test_missing_go_is_reported_before_a_cold_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("GRIDEDGE_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(ToolMissingError, match="'go'"):
        provision.kubernetes_bin("1.35.4")


def test_broken_go_build_fails_fast_with_the_module_named(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "GRIDEDGE_CACHE_DIR": str(tmp_path / "cache"),
        "GOPROXY": "off",
        "GOMODCACHE": str(tmp_path / "gomod"),
        "GOFLAGS": "-modcacherw",
    }
    done = subprocess.run(
        ["bash", str(SCRIPTS_DIR / "provision_k8s.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "could not download k8s.io/kubernetes@v" in done.stderr


def _path_without(tmp_path: Path, *missing: str) -> str:
    """A PATH holding every tool of this machine except ``missing``."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for entry in os.environ["PATH"].split(os.pathsep):
        folder = Path(entry)
        if not folder.is_dir():
            continue
        for tool in folder.iterdir():
            if tool.name not in missing and not (bindir / tool.name).exists():
                (bindir / tool.name).symlink_to(tool)
    return str(bindir)


def test_shell_provisioner_names_missing_maven(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": _path_without(tmp_path, "mvn"), "GRIDEDGE_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run(
        ["bash", str(SCRIPTS_DIR / "provision_kafka.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "'mvn' is not on PATH" in done.stderr and "maven" in done.stderr


def test_taken_port_is_named(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert not ports.is_free(port)
        with pytest.raises(PortInUseError) as err:
            KafkaBroker(tmp_path, tmp_path, "4.1.1", port=port).start()
    assert f"127.0.0.1:{port}" in str(err.value) and "already in use" in str(err.value)


def test_free_ports_are_distinct() -> None:
    picked = ports.free_ports(20)
    assert len(set(picked)) == 20
    assert all(ports.is_free(p) for p in picked)


def test_errors_share_one_base() -> None:
    assert issubclass(ToolMissingError, DevStackError) and issubclass(PortInUseError, DevStackError)
