"""The two virtual environments the benchmark measures in, created under its cache directory.

- ``project``: glance-validate installed (not editable) from the checkout with its dependencies,
  exactly what ``pip install .`` gives a user; the bare loops run here too, since jsonschema-rs,
  orjson and jsonschema are already its dependencies. It is reinstalled whenever the package
  sources change.
- ``check-jsonschema``: check-jsonschema alone, so that it never becomes a dependency of ours.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import venv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CHECK_JSONSCHEMA = "check-jsonschema==0.39.0"
_PROJECT_FILES = ("pyproject.toml",)
_PROJECT_DIR = "glance_validate"


@dataclass(frozen=True)
class Environment:
    root: Path

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    @property
    def python(self) -> Path:
        return self.bin / "python"

    def script(self, name: str) -> Path:
        return self.bin / name

    def version_of(self, distribution: str) -> str:
        code = f"import importlib.metadata as m; print(m.version({distribution!r}))"
        done = subprocess.run([str(self.python), "-c", code], capture_output=True, text=True, check=False)
        return done.stdout.strip() or "unknown"


def source_digest(repo: Path) -> str:
    """A digest of everything a non-editable install copies from the checkout."""
    digest = hashlib.sha256()
    files = [repo / name for name in _PROJECT_FILES]
    files += sorted(
        p for p in (repo / _PROJECT_DIR).rglob("*") if p.is_file() and "__pycache__" not in p.parts
    )
    for path in files:
        digest.update(str(path.relative_to(repo)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _create(root: Path, log: Callable[[str], None]) -> Environment:
    env = Environment(root)
    if not env.python.exists():
        log(f"creating virtual environment {root}")
        venv.EnvBuilder(with_pip=True, clear=True).create(root)
    return env


def _pip(env: Environment, *args: str) -> None:
    subprocess.run(
        [str(env.python), "-m", "pip", "--disable-pip-version-check", "install", "--quiet", *args], check=True
    )


def project(cache: Path, repo: Path, log: Callable[[str], None]) -> Environment:
    """The project's environment, with the checkout's current sources installed."""
    env = _create(cache / "envs" / "project", log)
    stamp = env.root / ".installed-source"
    wanted = source_digest(repo)
    if not stamp.exists() or stamp.read_text(encoding="ascii") != wanted:
        log("installing glance-validate from the checkout into the benchmark environment")
        _pip(env, str(repo))  # dependencies, as a user's `pip install .` resolves them
        _pip(env, "--no-deps", "--force-reinstall", str(repo))  # this exact source, same version or not
        stamp.write_text(wanted, encoding="ascii")
    return env


def check_jsonschema(cache: Path, requirement: str, log: Callable[[str], None]) -> Environment:
    """check-jsonschema in an environment of its own."""
    env = _create(cache / "envs" / "check-jsonschema", log)
    stamp = env.root / ".installed-requirement"
    if not stamp.exists() or stamp.read_text(encoding="ascii") != requirement:
        log(f"installing {requirement} into its own benchmark environment")
        _pip(env, requirement)
        stamp.write_text(requirement, encoding="ascii")
    return env


def interpreter() -> str:
    return f"{sys.implementation.name} {sys.version.split()[0]}"
