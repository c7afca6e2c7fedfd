"""Nothing a service starts outlives it: group kill, parent death, SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from gridedge.devstack.errors import ServiceStartError
from gridedge.devstack.process import ManagedProcess


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); treat it as gone.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def _wait_gone(pid: int, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


def test_stop_reaches_grandchildren(tmp_path: Path) -> None:
    pidfile = tmp_path / "grandchild.pid"
    proc = ManagedProcess("tree", ["bash", "-c", f"sleep 300 & echo $! > {pidfile}; wait"], tmp_path / "t.log").start()
    deadline = time.monotonic() + 10
    while not pidfile.exists() or not pidfile.read_text().strip():
        assert time.monotonic() < deadline, "grandchild never started"
        time.sleep(0.05)
    grandchild = int(pidfile.read_text())
    proc.stop(grace=2)
    assert _wait_gone(grandchild), "grandchild survived stop()"


def _spawn_parent(tmp_path: Path) -> tuple[subprocess.Popen[str], int]:
    script = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from gridedge.devstack.process import ManagedProcess, install_cleanup_handlers
        install_cleanup_handlers()
        p = ManagedProcess("sleeper", ["sleep", "300"], Path({str(tmp_path / "s.log")!r})).start()
        print(p.pid, flush=True)
        time.sleep(300)
        """
    )
    # The parent is spawned with SIGTERM ignored, as a process under some supervisors is:
    # the cleanup hook must still stop its services.
    parent = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGTERM, signal.SIG_IGN),
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert _alive(child)
    return parent, child


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_service_dies_with_its_parent(tmp_path: Path, sig: signal.Signals) -> None:
    parent, child = _spawn_parent(tmp_path)
    parent.send_signal(sig)
    parent.wait(timeout=20)
    assert _wait_gone(child), f"service survived its parent's {sig.name}"


def test_health_wait_fails_fast_when_the_service_exits(tmp_path: Path) -> None:
    proc = ManagedProcess("crasher", ["bash", "-c", "echo boom-reason; exit 3"], tmp_path / "c.log").start()
    start = time.monotonic()
    with pytest.raises(ServiceStartError) as err:
        proc.wait_healthy(lambda: False, timeout=60, what="never healthy")
    assert time.monotonic() - start < 10
    assert "exited with code 3" in str(err.value) and "boom-reason" in str(err.value)


def test_health_wait_times_out_with_the_log_tail(tmp_path: Path) -> None:
    proc = ManagedProcess("hanger", ["bash", "-c", "echo still-starting; sleep 300"], tmp_path / "h.log").start()
    try:
        with pytest.raises(ServiceStartError, match=r"did not reach 'ready' within 1s[\s\S]*still-starting"):
            proc.wait_healthy(lambda: False, timeout=1, what="ready")
    finally:
        proc.stop(grace=2)


def test_detached_services_outlive_their_parent_and_carry_no_run_marker(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import os, time
        from pathlib import Path
        from gridedge.devstack.process import ManagedProcess, detached, install_cleanup_handlers
        install_cleanup_handlers()
        os.environ["GRIDEDGE_RUN_MARKER"] = "must-not-leak"
        with detached():
            p = ManagedProcess("kept", ["sleep", "300"], Path({str(tmp_path / "k.log")!r})).start()
        print(p.pid, flush=True)
        time.sleep(300)
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    try:
        parent.kill()
        parent.wait(timeout=20)
        time.sleep(0.5)
        assert _alive(child), "a detached service died with its parent"
        environ = Path(f"/proc/{child}/environ").read_bytes().split(b"\0")
        assert not any(e.startswith(b"GRIDEDGE_RUN_MARKER=") for e in environ)
    finally:
        os.killpg(child, signal.SIGKILL)
