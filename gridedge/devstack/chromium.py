"""Headless Chromium driven over the DevTools protocol: load a page with a cookie, collect
its DOM, its JavaScript errors and a full-page screenshot.

Called by the monitoring page's tests. The binary is Debian's chromium
(``scripts/provision_chromium.sh``; ``GRIDEDGE_CHROMIUM`` overrides). Each :class:`Browser`
has a fresh profile directory, runs as a :class:`ManagedProcess` and is stopped with it;
every wait is bounded. It only reads pages: no form is filled, nothing is clicked.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websocket

from gridedge.devstack.errors import ServiceStartError
from gridedge.devstack.process import ManagedProcess

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
)


def chromium_binary() -> str:
    explicit = os.environ.get("GRIDEDGE_CHROMIUM")
    found = explicit or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise ServiceStartError(
            "Chromium is not installed: run scripts/provision_chromium.sh (or set GRIDEDGE_CHROMIUM)"
        )
    return found


@dataclass(frozen=True)
class PageCapture:
    """What the browser saw: final URL, DOM, JavaScript exceptions and console errors."""

    url: str
    status: int
    dom: str
    errors: tuple[str, ...]
    screenshot: Path | None


@dataclass
class Browser:
    log_dir: Path
    width: int = 1400
    height: int = 1000
    _proc: ManagedProcess | None = field(default=None, repr=False)
    _profile: Path | None = field(default=None, repr=False)
    _ws: Any = field(default=None, repr=False)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1), repr=False)
    _events: list[dict[str, Any]] = field(default_factory=list, repr=False)

    def start(self, timeout: float = 60) -> Browser:
        self._profile = Path(tempfile.mkdtemp(prefix="gridedge-chromium-"))
        argv = [
            chromium_binary(),
            *FLAGS,
            f"--user-data-dir={self._profile}",
            f"--window-size={self.width},{self.height}",
        ]
        self._proc = ManagedProcess("chromium", [*argv, "about:blank"], self.log_dir / "chromium.log").start()
        port_file = self._profile / "DevToolsActivePort"
        self._proc.wait_healthy(lambda: port_file.exists() and bool(port_file.read_text().split()), timeout, "DevTools")
        port = int(port_file.read_text().split()[0])
        page: dict[str, Any] = {}

        def find_page() -> bool:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as resp:
                targets = json.loads(resp.read())
            page.update(next((t for t in targets if t.get("type") == "page"), {}))
            return bool(page)

        self._proc.wait_healthy(find_page, timeout, "a page target")
        self._ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=timeout, suppress_origin=True)
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.call(f"{domain}.enable")
        return self

    def call(self, method: str, timeout: float = 30, **params: Any) -> dict[str, Any]:
        """Send one DevTools command and return its result; events seen meanwhile are kept."""
        ident = next(self._ids)
        self._ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._ws.settimeout(max(deadline - time.monotonic(), 0.1))
            message = json.loads(self._ws.recv())
            if message.get("id") == ident:
                if "error" in message:
                    raise ServiceStartError(f"DevTools {method} failed: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            self._events.append(message)
        raise ServiceStartError(f"DevTools {method} did not answer within {timeout:.0f}s")

    def _wait_event(self, method: str, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self._events:
                if event.get("method") == method:
                    return event
            self._ws.settimeout(max(deadline - time.monotonic(), 0.1))
            try:
                self._events.append(json.loads(self._ws.recv()))
            except websocket.WebSocketTimeoutException:
                break
        raise ServiceStartError(f"no {method} within {timeout:.0f}s")

    def capture(
        self, url: str, cookies: dict[str, str] | None = None, screenshot: Path | None = None, timeout: float = 60
    ) -> PageCapture:
        """Load ``url`` (with ``cookies`` set for it), wait for load, return DOM, errors and a PNG."""
        for name, value in (cookies or {}).items():
            self.call("Network.setCookie", name=name, value=value, url=url)
        self._events.clear()
        self.call("Page.navigate", url=url)
        self._wait_event("Page.loadEventFired", timeout)
        dom = str(
            self.call("Runtime.evaluate", expression="document.documentElement.outerHTML", returnByValue=True)[
                "result"
            ]["value"]
        )
        status = 0
        for event in self._events:
            if event.get("method") == "Network.responseReceived" and event["params"].get("type") == "Document":
                status = int(event["params"]["response"]["status"])
        errors = tuple(self._errors())
        if screenshot is not None:
            self.screenshot(screenshot)
        return PageCapture(url, status, dom, errors, screenshot)

    def wait_for_js(self, expression: str, timeout: float = 30) -> Any:
        """Poll ``expression`` in the page until it is truthy (for pages that render with script)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.call("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")
            if value:
                return value
            time.sleep(0.25)
        raise ServiceStartError(f"{expression!r} stayed false for {timeout:.0f}s")

    def screenshot(self, path: Path) -> Path:
        """A PNG of the whole page as it is now."""
        metrics = self.call("Page.getLayoutMetrics")
        height = int(metrics["cssContentSize"]["height"]) + 20
        self.call(
            "Emulation.setDeviceMetricsOverride", width=self.width, height=height, deviceScaleFactor=1, mobile=False
        )
        shot = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True, timeout=60)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        self.call("Emulation.clearDeviceMetricsOverride")
        return path

    def _errors(self) -> list[str]:
        out = []
        for event in self._events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                out.append(str((details.get("exception") or {}).get("description") or details.get("text", params)))
            elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
                out.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
            elif method == "Log.entryAdded":
                entry = params.get("entry", {})
                # Network failures (a missing favicon) are not script errors; CSP violations are.
                if entry.get("level") == "error" and entry.get("source") != "network":
                    out.append(str(entry.get("text", "")))
        return out

    def stop(self) -> None:
        if self._ws is not None:
            try:
                self._ws.close()
            finally:
                self._ws = None
        if self._proc is not None:
            self._proc.stop(grace=5)
            self._proc = None
        if self._profile is not None:
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile = None
