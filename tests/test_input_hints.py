"""Messages that say what to do: YAML payloads, URLs given as paths, a missing --schema file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from glance_validate.core.errors import SchemaUnavailable
from glance_validate.inputs.discover import Input, discover
from glance_validate.inputs.readers import read
from glance_validate.schema.sources import load_schema


def _messages(path: Path) -> list[tuple[str, str]]:
    return [(p.problem.code, p.problem.message) for p in read(Input(str(path), str(path))) if p.problem]


@pytest.mark.parametrize("name", ["images.yaml", "images.yml", "images.json", "images"])
def test_yaml_content_says_the_api_speaks_json(tmp_path: Path, name: str) -> None:
    """YAML content (whatever the name) is P001 saying the image API speaks JSON and YAML is not read."""
    path = tmp_path / name
    path.write_text("# saved from the CLI\nimages:\n  - id: x\n")
    [(code, message)] = _messages(path)
    assert code == "P001" and "the image API speaks JSON and YAML is not read" in message


def test_a_yaml_list_and_document_marker_are_recognised(tmp_path: Path) -> None:
    """A top-level "- " list and a "---" marker are YAML too."""
    for text in ("- id: x\n", "---\nimages: []\n"):
        path = tmp_path / "page.json"
        path.write_text(text)
        assert [c for c, _ in _messages(path)] == ["P001"], text


@pytest.mark.parametrize("text", ['{"images": []}', "[]", '"x"', "null", "-1", "true"])
def test_json_is_not_taken_for_yaml(tmp_path: Path, text: str) -> None:
    """JSON values, also in a .yaml file, are read as JSON."""
    path = tmp_path / "page.yaml"
    path.write_text(text)
    assert _messages(path) == []


def test_a_url_given_as_a_path_says_where_urls_go() -> None:
    """A URL in place of a payload path names --schema, probe and --endpoint."""
    [item] = discover(["https://cloud.example.com/v2/images"])
    assert item.problem is not None
    assert "--schema takes a URL" in item.problem and "glance-validate probe" in item.problem
    assert "--endpoint" in item.problem


def test_a_file_named_like_a_url_is_still_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A path that exists is read even when it starts like a URL."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "http:").mkdir()
    (tmp_path / "http:" / "x.json").write_text("{}")
    [item] = discover(["http://x.json"])
    assert item.problem is None


def test_a_missing_schema_file_lists_release_schemas_too(tmp_path: Path) -> None:
    """--schema naming no file lists the builtins and the glance-<release> schemas."""
    with pytest.raises(SchemaUnavailable) as caught:
        load_schema(str(tmp_path / "nosuch.json"))
    assert "(ims, glance)" in str(caught.value) and "glance-<release> such as glance-2024.1" in str(
        caught.value
    )


def test_cli_reports_a_url_path_as_unreadable(tmp_path: Path) -> None:
    """On the command line the URL path is a P009 with the hint, exit code 3."""
    result = subprocess.run(
        [sys.executable, "-m", "glance_validate", "check", "https://cloud.example.com/v2/images"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 3
    assert "P009" in result.stdout and "glance-validate probe" in result.stdout
