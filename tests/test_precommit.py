"""The pre-commit hooks, run by the real pre-commit on throw-away git repositories.

pre-commit installs this checkout (a snapshot of the working tree, committed to a temporary
repository) into its own virtual environment, then runs the hooks the way a user's
``.pre-commit-config.yaml`` asks for them, with parallel file splitting.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SNAPSHOT = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "glance_validate")
_SUMMARY = re.compile(r"checked (\d+) payloads? \((\d+) images?\) against (\S+): ")


def _git(cwd: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "user.name=glance-validate tests", "-c", "user.email=tests@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A git repository holding this checkout's package and hook manifest; returns (path, sha)."""
    repo = tmp_path_factory.mktemp("hook-repo")
    for name in SNAPSHOT:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, repo / name)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "snapshot")
    return repo, _git(repo, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One pre-commit cache for the module: the hook environment is installed once."""
    return tmp_path_factory.mktemp("pre-commit-home")


def _user_repo(root: Path, files: dict[str, str | bytes], config: str) -> Path:
    root.mkdir()
    _git(root, "init", "-q")
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    (root / ".pre-commit-config.yaml").write_text(config)
    _git(root, "add", "-A")
    return root


def _config(hook_repo: tuple[Path, str], hooks: str) -> str:
    path, sha = hook_repo
    return f"repos:\n  - repo: {path}\n    rev: {sha}\n    hooks:\n{hooks}"


def _pre_commit(repo: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRE_COMMIT")}
    env["PRE_COMMIT_HOME"] = str(home)
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", *args, "--color", "never"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    return result


def _image(n: int, **overrides: Any) -> dict[str, Any]:
    image: dict[str, Any] = json.loads((FIXTURES / "ims" / "image.json").read_text())
    image_id = f"0000{n:04d}-5c3d-4e6f-a7b8-9c0d1e2f3a4b"
    image.update(
        id=image_id, self=f"/v2/images/{image_id}", file=f"/v2/images/{image_id}/file", name=f"img-{n}"
    )
    image.update(overrides)
    return image


def _good_files(count: int) -> dict[str, str | bytes]:
    return {f"captures/image-{n:03d}.json": json.dumps(_image(n), indent=2) + "\n" for n in range(count)}


def _summaries(output: str) -> list[tuple[int, int]]:
    return [(int(m.group(1)), int(m.group(2))) for m in _SUMMARY.finditer(output)]


def test_hook_passes_on_good_files_split_across_processes(
    hook_repo: tuple[Path, str], pre_commit_home: Path, tmp_path: Path
) -> None:
    """40 valid files pass; pre-commit splits them over several hook processes that each report."""
    config = _config(hook_repo, "      - id: glance-validate\n        verbose: true\n")
    repo = _user_repo(tmp_path / "user", {**_good_files(40), "README.md": "not checked\n"}, config)
    result = _pre_commit(repo, pre_commit_home, "run", "--all-files")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "glance-validate" in result.stdout and "Passed" in result.stdout
    summaries = _summaries(result.stdout)
    assert len(summaries) >= 2, result.stdout  # more than one process ran the hook
    assert sum(payloads for payloads, _ in summaries) == 40


def test_hook_fails_with_the_findings_on_bad_files(
    hook_repo: tuple[Path, str], pre_commit_home: Path, tmp_path: Path
) -> None:
    """Bad files among many make the hook fail and print each finding with file, line and column."""
    files = _good_files(40)
    bad = {f"captures/image-{n:03d}.json": n for n in (3, 17, 29, 38)}
    for name, n in bad.items():
        files[name] = json.dumps(_image(n, status="archived"), indent=2) + "\n"
    files["captures/pages.jsonl"] = json.dumps(_image(90)) + "\n" + json.dumps(_image(91, min_ram=1.5)) + "\n"
    config = _config(hook_repo, "      - id: glance-validate\n")
    repo = _user_repo(tmp_path / "user", files, config)
    result = _pre_commit(repo, pre_commit_home, "run", "--all-files")
    assert result.returncode == 1
    assert "Failed" in result.stdout and "exit code: 1" in result.stdout
    for name in bad:
        assert re.search(rf"{re.escape(name)}:\d+:13: K002 \[error\] \"archived\"", result.stdout), name
    assert re.search(
        r"captures/pages\.jsonl:2:\d+: K001 \[error\] expected integer, found number 1\.5", result.stdout
    )
    assert sum(payloads for payloads, _ in _summaries(result.stdout)) == 42


def test_hook_args_choose_the_schema(
    hook_repo: tuple[Path, str], pre_commit_home: Path, tmp_path: Path
) -> None:
    """args: [--schema, glance] checks upstream Glance payloads that the default IMS schema rejects."""
    image = json.loads((FIXTURES / "glance" / "image-current.json").read_text())
    files: dict[str, str | bytes] = {"glance/image.json": json.dumps(image, indent=2) + "\n"}
    hooks = (
        "      - id: glance-validate\n"
        "        name: glance-validate (upstream Glance)\n"
        "        args: [--schema, glance]\n"
        "        verbose: true\n"
    )
    upstream = _pre_commit(
        _user_repo(tmp_path / "a", files, _config(hook_repo, hooks)), pre_commit_home, "run", "-a"
    )
    assert upstream.returncode == 0, upstream.stdout
    assert "against glance: no findings" in upstream.stdout
    default = _config(hook_repo, "      - id: glance-validate\n")
    ims = _pre_commit(_user_repo(tmp_path / "b", files, default), pre_commit_home, "run", "-a")
    assert ims.returncode == 1 and "against ims" in ims.stdout


def test_schema_hook_lints_schema_documents(
    hook_repo: tuple[Path, str], pre_commit_home: Path, tmp_path: Path
) -> None:
    """glance-validate-schema picks schema files by name, passes on warnings, fails on an invalid schema."""
    seed = (ROOT / "glance_validate" / "data" / "schemas" / "ims.json").read_text()
    files: dict[str, str | bytes] = {"schemas/images.json": seed, "captures/page.json": '{"images": []}\n'}
    config = _config(hook_repo, "      - id: glance-validate-schema\n        verbose: true\n")
    passing = _pre_commit(_user_repo(tmp_path / "a", files, config), pre_commit_home, "run", "-a")
    assert passing.returncode == 0, passing.stdout
    assert "schemas/images.json:21:29: L001 [warning]" in passing.stdout
    assert "captures/page.json" not in passing.stdout  # not a schema document: not linted
    broken = {"image-schema.json": json.dumps({"properties": {"name": {"type": 5}}, "name": "image"})}
    failing = _pre_commit(_user_repo(tmp_path / "b", broken, config), pre_commit_home, "run", "-a")
    assert (
        failing.returncode == 1 and "image-schema.json" in failing.stdout and "L003 [error]" in failing.stdout
    )


def test_hook_file_patterns_pick_payloads_and_schemas() -> None:
    """The manifest's file patterns take payload captures and schema documents, and leave other files."""
    import yaml

    hooks = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    payloads = re.compile(hooks["glance-validate"]["files"])
    schemas = re.compile(hooks["glance-validate-schema"]["files"])
    for name in ("a.json", "c/pages.jsonl", "x.ndjson", "session.har", "resp/list.http"):
        assert payloads.search(name), name
    for name in ("README.md", "a.json.bak", "setup.py"):
        assert not payloads.search(name), name
    for name in ("schemas/images.json", "image-schema.json", "x/glance__schemas-images.json", "schema.json"):
        assert schemas.search(name), name
    for name in ("captures/page.json", "schemas/notes.txt"):
        assert not schemas.search(name), name


def test_project_config_and_manifest_are_valid() -> None:
    """The project's own .pre-commit-config.yaml and the hook manifest pass pre-commit's validators."""
    for command, name in (
        ("validate-config", ".pre-commit-config.yaml"),
        ("validate-manifest", ".pre-commit-hooks.yaml"),
    ):
        result = subprocess.run(
            [sys.executable, "-m", "pre_commit", command, str(ROOT / name)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_project_hooks_pass_on_the_files_they_select() -> None:
    """The project's own glance-validate hooks pass on the files their patterns select in this checkout."""
    import shlex

    import yaml

    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = [
        h
        for repo in config["repos"]
        for h in repo["hooks"]
        if h["entry"].startswith("python -m glance_validate")
    ]
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert len(hooks) == 3
    for hook in hooks:
        selected = [name for name in tracked.splitlines() if re.search(hook["files"], name)]
        assert selected, hook["id"]
        command = [sys.executable, *shlex.split(hook["entry"])[1:], *selected]
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr
