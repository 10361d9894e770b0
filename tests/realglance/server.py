"""Start and stop a real Glance on 127.0.0.1 from the test process.

``RealGlance(state_dir).start()`` writes the configuration (``config.write``), creates the sqlite
database with Glance's own ``glance-manage db_sync``, starts ``realglance.serve`` with the Glance
environment's Python in a process group of its own, and waits (bounded) until ``GET /versions``
answers. ``stop()`` ends the whole process group: SIGTERM, then SIGKILL. The server's output goes
to ``log_path`` for diagnostics; errors quote its tail.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from types import TracebackType

from . import build, config
from .client import GlanceClient, GlanceError

TESTS_DIR = Path(__file__).resolve().parent.parent  # on the server's PYTHONPATH: realglance.*
DB_SYNC_TIMEOUT = 180.0
READY_TIMEOUT = 90.0
STOP_TIMEOUT = 10.0


class RealGlanceError(RuntimeError):
    """Glance could not be set up or did not come up."""


class RealGlance:
    """One Glance API process on 127.0.0.1 with its state under state_dir."""

    def __init__(self, state_dir: Path, python: Path | None = None) -> None:
        self.state_dir = state_dir
        self.python = python or build.venv_python()
        self.layout = config.Layout(state_dir)
        self.port: int | None = None
        self.timings: dict[str, float] = {}
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def log_path(self) -> Path:
        return self.layout.log

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise RealGlanceError("Glance is not running")
        return f"http://127.0.0.1:{self.port}"

    def client(self) -> GlanceClient:
        return GlanceClient(self.base_url)

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def _env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("OS_", "PYTHON"))}
        env["OS_GLANCE_CONFIG_DIR"] = str(self.layout.etc)
        env["PYTHONPATH"] = str(TESTS_DIR)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["PYTHONWARNINGS"] = "ignore::DeprecationWarning"
        return env

    def _db_sync(self) -> None:
        started = time.monotonic()
        manage = self.python.parent / "glance-manage"
        argv = [str(manage), "--config-file", str(self.layout.api_conf), "db_sync"]
        try:
            done = subprocess.run(
                argv, env=self._env(), capture_output=True, text=True, timeout=DB_SYNC_TIMEOUT, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise RealGlanceError(f"glance-manage db_sync took longer than {DB_SYNC_TIMEOUT:.0f} s") from exc
        (self.state_dir / "db_sync.log").write_text(done.stdout + done.stderr)
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).splitlines()[-30:])
            raise RealGlanceError(f"glance-manage db_sync failed (exit {done.returncode}):\n{tail}")
        self.timings["db_sync"] = time.monotonic() - started

    def start(self, timeout: float = READY_TIMEOUT) -> RealGlance:
        if self._process is not None:
            raise RealGlanceError("already started")
        config.write(self.state_dir)
        self._db_sync()
        started = time.monotonic()
        ready_file = self.layout.ready_file
        ready_file.unlink(missing_ok=True)
        argv = [str(self.python), "-m", "realglance.serve", "--ready-file", str(ready_file), "--port", "0"]
        argv += ["--parent-pid", str(os.getpid())]
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                argv,
                env=self._env(),
                cwd=self.state_dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self._wait_ready(started + timeout)
        except BaseException:
            self.stop()
            raise
        self.timings["ready"] = time.monotonic() - started
        return self

    def _wait_ready(self, deadline: float) -> None:
        process = self._process
        assert process is not None
        while self.port is None:
            if process.poll() is not None:
                raise RealGlanceError(
                    f"Glance exited with {process.returncode} while starting:\n{self.log_tail()}"
                )
            if time.monotonic() > deadline:
                raise RealGlanceError(f"Glance did not bind a port in time:\n{self.log_tail()}")
            try:
                self.port = int(json.loads(self.layout.ready_file.read_text())["port"])
            except (OSError, ValueError, KeyError):
                time.sleep(0.05)
        client = GlanceClient(self.base_url, timeout=5.0)
        while True:
            try:
                client.request("GET", "/versions", expect=(200, 300))
                return
            except GlanceError as exc:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RealGlanceError(
                        f"Glance is not answering GET /versions: {exc}\n{self.log_tail()}"
                    ) from exc
                time.sleep(0.1)

    def stop(self) -> None:
        process, self._process = self._process, None
        self.port = None
        if process is None or process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, STOP_TIMEOUT), (signal.SIGKILL, STOP_TIMEOUT)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                return
            try:
                process.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def __enter__(self) -> RealGlance:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()
