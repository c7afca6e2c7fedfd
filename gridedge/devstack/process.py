"""Child processes that are always cleaned up: own process group, log file, health wait.

Every service of the dev stack runs through :class:`ManagedProcess`. The child gets
``PR_SET_PDEATHSIG`` so it dies with its parent even on SIGKILL, and its own session
so that stopping it reaches every grandchild (``kill -- -PGID``). An ``atexit`` hook
and SIGTERM/SIGHUP handlers stop whatever is still registered.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType

from gridedge.devstack.errors import ServiceStartError

_PR_SET_PDEATHSIG = 1
_registry: dict[int, ManagedProcess] = {}
_registry_lock = threading.Lock()


def _reset_signals() -> None:
    # A service must stop on our SIGTERM even if its parent ignored it (SIG_IGN survives exec).
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)


def _child_setup_with_deathsig() -> None:  # runs in the child between fork and exec
    os.setsid()
    _reset_signals()
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _child_setup() -> None:
    os.setsid()
    _reset_signals()


_detached = threading.local()


@contextlib.contextmanager
def detached() -> Iterator[None]:
    """Processes started inside outlive this interpreter (the demo leaves its stack running).

    They get no death signal, are not stopped by :func:`stop_all` or the exit hooks, and do
    not inherit ``GRIDEDGE_RUN_MARKER`` (so ``scripts/reap.sh`` leaves them alone); whoever
    starts them records their process groups and stops them later.
    """
    previous = getattr(_detached, "on", False)
    _detached.on = True
    try:
        yield
    finally:
        _detached.on = previous


def _on_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


class ManagedProcess:
    """One long-running service process with its log file."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        log_path: Path,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        self.env = dict(env) if env is not None else None
        self.cwd = cwd
        self._proc: subprocess.Popen[bytes] | None = None
        self.detached = False

    @property
    def pid(self) -> int:
        if self._proc is None:
            raise ServiceStartError(f"{self.name} was never started")
        return self._proc.pid

    def start(self) -> ManagedProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.detached = bool(getattr(_detached, "on", False))
        env = self.env
        if self.detached:
            env = {k: v for k, v in (env if env is not None else os.environ).items() if k != "GRIDEDGE_RUN_MARKER"}
        try:
            self._proc = subprocess.Popen(
                self.argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                cwd=self.cwd,
                # The death signal fires when the *thread* that forked exits, so it is only
                # safe from the main thread; other threads rely on the atexit/signal hooks.
                preexec_fn=_child_setup_with_deathsig if _on_main_thread() and not self.detached else _child_setup,
            )
        except FileNotFoundError as e:
            raise ServiceStartError(f"{self.name}: executable {self.argv[0]} not found") from e
        finally:
            log.close()
        if not self.detached:
            with _registry_lock:
                _registry[self._proc.pid] = self
        return self

    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def returncode(self) -> int | None:
        return None if self._proc is None else self._proc.poll()

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def wait_healthy(self, check: Callable[[], bool], timeout: float, what: str) -> None:
        """Poll ``check`` until it returns True; fail fast if the process exits."""
        deadline = time.monotonic() + timeout
        delay = 0.05
        while time.monotonic() < deadline:
            if not self.alive():
                raise ServiceStartError(
                    f"{self.name} exited with code {self.returncode()} before {what}; "
                    f"log {self.log_path}:\n{self.log_tail()}"
                )
            with contextlib.suppress(Exception):
                if check():
                    return
            time.sleep(delay)
            delay = min(delay * 1.5, 0.5)
        raise ServiceStartError(
            f"{self.name} did not reach '{what}' within {timeout:.0f}s; log {self.log_path}:\n{self.log_tail()}"
        )

    def stop(self, grace: float = 10.0) -> None:
        proc = self._proc
        if proc is None:
            return
        with _registry_lock:
            _registry.pop(proc.pid, None)
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        # Grandchildren that outlived the leader still carry its process group id.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)


def stop_all() -> None:
    with _registry_lock:
        procs = list(_registry.values())
    for proc in reversed(procs):
        with contextlib.suppress(Exception):
            proc.stop(grace=5)


def _on_signal(signum: int, frame: FrameType | None) -> None:
    stop_all()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def install_cleanup_handlers() -> None:
    """Stop every registered process at interpreter exit and on SIGTERM/SIGHUP."""
    atexit.register(stop_all)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(sig) in (signal.SIG_DFL, signal.SIG_IGN, None):
            signal.signal(sig, _on_signal)


def run_checked(argv: Sequence[str], what: str, env: Mapping[str, str] | None = None, timeout: float = 120) -> str:
    """Run a short command; on failure raise with its output, naming ``what`` failed."""
    try:
        done = subprocess.run(list(argv), capture_output=True, text=True, env=env, timeout=timeout, check=False)
    except FileNotFoundError as e:
        raise ServiceStartError(f"{what}: executable {argv[0]} not found") from e
    except subprocess.TimeoutExpired as e:
        raise ServiceStartError(f"{what}: timed out after {timeout:.0f}s") from e
    if done.returncode != 0:
        raise ServiceStartError(
            f"{what} failed with exit code {done.returncode}:\n{(done.stdout + done.stderr)[-3000:]}"
        )
    return done.stdout
