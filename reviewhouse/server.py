"""Prefect's temporary API server, started by the command line the moment a run is asked for.

Prefect starts this server itself when a flow first needs an API and none is configured:
then, importing the server's code in this process first (three seconds) and only starting
the server (five more) once the flow is called. Started here instead, with the very command
Prefect uses, it imports and migrates its database in its own process, on the other core,
while this one imports the pipeline. Prefect then finds it as a configured API
(`PREFECT_API_URL`, for the run only) and starts nothing of its own.

Only the standard library is imported: this runs before anything heavy.
"""

from __future__ import annotations

import contextlib
import os
import random
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from importlib.util import find_spec
from pathlib import Path

# Prefect's own choices for its temporary server (prefect.server.api.server).
PORTS = range(8000, 9000)
PORT_TAKEN_EXIT_CODE = 3
SERVER_ENV = {
    "PREFECT_UI_ENABLED": "0",
    "PREFECT__SERVER_EPHEMERAL": "1",
    "PREFECT__SERVER_FINAL": "1",
}


class ServerError(RuntimeError):
    """Prefect's temporary server did not start."""


class TemporaryServer:
    """One temporary Prefect API server on 127.0.0.1, started at once, waited for later."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.process = self._launch()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def wait_until_ready(self, timeout_s: float) -> None:
        """Return once the server answers its health check; ServerError after `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() == PORT_TAKEN_EXIT_CODE:  # taken since we looked
                self.port = _free_port()
                self.process = self._launch()
            elif self.process.poll() is not None:
                raise ServerError(
                    f"Prefect's temporary server exited with code {self.process.returncode}"
                )
            if _healthy(self.api_url):
                return
            time.sleep(0.05)
        self.stop()
        raise ServerError(
            f"Prefect's temporary server did not start within {timeout_s:g} s "
            "(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS gives it longer)"
        )

    def stop(self) -> None:
        """End the server (it closes its database on SIGTERM)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def _launch(self) -> subprocess.Popen[bytes]:
        prefect_dir = Path(find_spec("prefect").origin).parent  # type: ignore[arg-type, union-attr]
        command = [sys.executable, "-m", "uvicorn", "--app-dir", str(prefect_dir.parent)]
        command += ["--factory", "prefect.server.api.server:create_app"]
        command += ["--host", "127.0.0.1", "--port", str(self.port)]
        command += ["--log-level", "error", "--lifespan", "on"]
        return subprocess.Popen(
            command,
            env={**os.environ, **SERVER_ENV},
            stdin=subprocess.DEVNULL,
        )


def api_configured() -> bool:
    """Whether a Prefect API is configured. Prefect's settings say, once imported; before,
    this looks where an API is usually configured, the environment and the active profile,
    instead of importing them (a second): the command line asks them before it uses the
    server."""
    if "prefect.settings" in sys.modules:  # a process that has Prefect already (tests)
        from prefect.settings import get_current_settings

        return bool(get_current_settings().api.url)
    if os.environ.get("PREFECT_API_URL"):
        return True
    home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect")
    profiles = Path(os.environ.get("PREFECT_PROFILES_PATH") or home / "profiles.toml")
    try:
        document = tomllib.loads(profiles.read_text())
    except (OSError, ValueError):
        return False
    active = os.environ.get("PREFECT_PROFILE") or document.get("active") or "ephemeral"
    profile = document.get("profiles", {}).get(active, {})
    return bool(profile.get("PREFECT_API_URL")) if isinstance(profile, dict) else False


def _free_port() -> int:
    for _ in range(20):
        port = random.choice(PORTS)
        with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise ServerError("no free port for Prefect's temporary server in 8000-8999")


def _healthy(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=1) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False
