"""Build (once) and verify the virtual environment that runs a real Glance for the tests.

The environment is Glance's own, never the project's: it lives outside the checkout under
``${XDG_CACHE_HOME:-~/.cache}/glance-validate/glance-<version>/venv`` (or under
``$GLANCE_VALIDATE_REAL_GLANCE_HOME`` when set) and holds Glance plus a WSGI server. A marker file
is written only after the whole build and a smoke import succeeded; without it the environment is
removed and built again. A file lock keeps two processes from building at the same time.

Run ``python tests/realglance/build.py`` to build or verify it; it prints how long that took and
exits non-zero with the reason when the build fails.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

GLANCE_VERSION = "33.0.0"
# the WSGI server: glance-api 33 has no standalone server, and wsgiref cannot read chunked bodies
SERVER_REQUIREMENT = "waitress==3.0.2"
REQUIREMENTS = (f"glance=={GLANCE_VERSION}", SERVER_REQUIREMENT)
MARKER_NAME = ".glance-validate-build-complete"
PIP_TIMEOUT = 1200.0  # seconds for the whole install; pip's own socket timeout bounds each read
LOCK_TIMEOUT = 1500.0  # seconds to wait for another process's build
SMOKE = (
    "import warnings; warnings.simplefilter('ignore'); "
    "import importlib.metadata as m, glance.common.wsgi_app, glance.cmd.manage, waitress, webob; "
    "print(m.version('glance'))"
)


class BuildError(RuntimeError):
    """The Glance environment could not be built or does not work."""


def home(environ: dict[str, str] | None = None) -> Path:
    """The directory that holds the environment and its lock."""
    env = dict(os.environ) if environ is None else environ
    override = env.get("GLANCE_VALIDATE_REAL_GLANCE_HOME", "")
    if override:
        return Path(override)
    xdg = env.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "glance-validate" / f"glance-{GLANCE_VERSION}"


def venv_dir(environ: dict[str, str] | None = None) -> Path:
    return home(environ) / "venv"


def venv_python(environ: dict[str, str] | None = None) -> Path:
    return venv_dir(environ) / "bin" / "python"


def _marker(venv: Path) -> Path:
    return venv / MARKER_NAME


def _expected_marker() -> dict[str, object]:
    return {"requirements": list(REQUIREMENTS), "python": list(sys.version_info[:2])}


def is_built(environ: dict[str, str] | None = None) -> bool:
    """Whether a complete build for these requirements is there (the marker says so)."""
    venv = venv_dir(environ)
    try:
        recorded = json.loads(_marker(venv).read_text())
    except (OSError, ValueError):
        return False
    python = venv_python(environ)
    return (
        isinstance(recorded, dict) and recorded.get("requirements") == list(REQUIREMENTS) and python.exists()
    )


def _run(argv: list[str], timeout: float, what: str) -> str:
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise BuildError(f"{what} took longer than {timeout:.0f} s") from exc
    except OSError as exc:
        raise BuildError(f"{what} could not start: {exc}") from exc
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-25:])
        raise BuildError(f"{what} failed (exit {done.returncode}):\n{tail}")
    return done.stdout


def _lock(path: Path, timeout: float) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() > deadline:
                os.close(fd)
                raise BuildError(f"another process held {path} for more than {timeout:.0f} s") from None
            time.sleep(0.5)


def _build(venv: Path) -> None:
    if venv.exists():
        shutil.rmtree(venv)
    _run([sys.executable, "-m", "venv", str(venv)], 300, "creating the virtual environment")
    python = str(venv / "bin" / "python")
    pip = [python, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    _run([*pip, "install", "--quiet", "--upgrade", "pip"], PIP_TIMEOUT, "upgrading pip")
    _run([*pip, "install", "--quiet", *REQUIREMENTS], PIP_TIMEOUT, f"pip install {' '.join(REQUIREMENTS)}")
    _smoke(Path(python))
    _marker(venv).write_text(json.dumps(_expected_marker()) + "\n")


def _smoke(python: Path) -> None:
    version = _run([str(python), "-c", SMOKE], 120, "importing glance in the environment").strip()
    if version != GLANCE_VERSION:
        raise BuildError(f"the environment has glance {version!r}, not {GLANCE_VERSION}")


def ensure_built(environ: dict[str, str] | None = None, *, verify: bool = False) -> Path:
    """Build the environment unless a complete one is there; return its python. Raises BuildError.

    With verify, a complete-looking environment is also imported from, and built again if that fails.
    """
    if is_built(environ) and not verify:
        return venv_python(environ)
    root = home(environ)
    fd = _lock(root / "build.lock", LOCK_TIMEOUT)
    try:
        if is_built(environ) and verify:
            try:
                _smoke(venv_python(environ))
            except BuildError:
                _marker(venv_dir(environ)).unlink(missing_ok=True)
        if not is_built(environ):  # another process may have finished it while we waited
            _build(venv_dir(environ))
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    return venv_python(environ)


def main() -> int:
    started = time.monotonic()
    already = is_built()
    try:
        python = ensure_built(verify=True)
    except BuildError as exc:
        print(
            f"real Glance environment: build FAILED after {time.monotonic() - started:.1f} s", file=sys.stderr
        )
        print(str(exc), file=sys.stderr)
        return 1
    state = "already built, verified" if already else "built"
    print(f"real Glance {GLANCE_VERSION} environment {state} in {time.monotonic() - started:.1f} s: {python}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
