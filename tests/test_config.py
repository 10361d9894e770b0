"""Rule selection and configuration: tokens, pyproject.toml discovery, layering, errors, --fail-on."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sample_payloads import sample_page

from glance_validate import ConfigurationError, Policy, validate
from glance_validate.checks.config import (
    Settings,
    expand,
    find_pyproject,
    read_pyproject,
    resolve,
    settings_from_mapping,
)
from glance_validate.core.exitcodes import ExitCode
from glance_validate.core.findings import Finding
from glance_validate.runner.options import RunOptions
from glance_validate.runner.run import run

ROOT = Path(__file__).resolve().parent.parent
UUID = "6a1f0c2e-93d4-4b7e-8f21-0c5d7e9a3b14"


def _image(**overrides: Any) -> dict[str, Any]:
    image: dict[str, Any] = json.loads((ROOT / "fixtures" / "ims" / "image.json").read_text())
    image.update(overrides)
    return image


# Tokens ------------------------------------------------------------------------------------------


def test_tokens_name_codes_prefixes_families_and_all() -> None:
    """A code, a prefix, a family letter, a family name (any case) and ALL each name codes."""
    assert expand("C010") == {"C010"}
    assert expand("c01") == {f"C01{i}" for i in range(9)}
    assert expand("X") == {"X001", "X002", "X003"}
    assert expand("Extension") == expand("X")
    assert "P001" in expand("ALL") and "X003" in expand("all")
    assert expand("Z9") == frozenset()


def test_unknown_codes_are_an_error_that_names_each() -> None:
    """Every unknown token is named in one message; the library raises a typed error."""
    with pytest.raises(ConfigurationError) as error:
        Policy(select=["C010", "Z999"], ignore=["nonsense"])
    assert "Z999" in str(error.value)
    with pytest.raises(ConfigurationError) as error:
        Policy(ignore="C999,K9")
    assert "C999, K9" in str(error.value)


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"fail_on": "fatal"}, "fail-on is 'fatal'"),
        ({"profile": "huawei"}, "unknown profile 'huawei'"),
        ({"strict": "yes"}, "strict is 'yes'"),
    ],
)
def test_bad_policy_values_are_errors(kwargs: dict[str, Any], text: str) -> None:
    """A severity, profile or strict value that does not exist raises ConfigurationError."""
    with pytest.raises(ConfigurationError, match=text):
        Policy(**kwargs)


def test_selection_and_ignore() -> None:
    """select keeps only what it names, ignore removes from it."""
    policy = Policy(select=["C", "K001"], ignore=["C01"])
    assert policy.allows("K001") and policy.allows("C001") and policy.allows("C009")
    assert not policy.allows("C010") and not policy.allows("K002")


def test_fails_at_or_above_the_threshold() -> None:
    """fail_on error ignores warnings; warning counts warnings and errors; info counts all."""
    warning = Finding("C016", "warning", "/tags/1", "repeat")
    info = Finding("D001", "info", "/disk_format", "zvhd2")
    assert not Policy().fails([warning, info])
    assert Policy(fail_on="warning").fails([warning]) and not Policy(fail_on="warning").fails([info])
    assert Policy(fail_on="info").fails([info])


def test_library_policy_filters_payload_and_schema_findings() -> None:
    """A validator reports only enabled codes, on payloads and on the schema document."""
    payload = sample_page(_image(checksum="abc", status="gone"))
    assert {f.code for f in validate(payload).findings} == {"C010", "K002"}
    result = validate(payload, policy=Policy(ignore=["C010", "L001"]))
    assert [f.code for f in result.findings] == ["K002"] and result.schema_findings == ()


# Layers ------------------------------------------------------------------------------------------


def test_later_layers_override_and_select_starts_over() -> None:
    """Ignores accumulate; a layer's select drops earlier selects and ignores; scalars override."""
    config = Settings(select=("C", "K"), ignore=("C016",), fail_on="warning", origin="config")
    more = Settings(ignore=("C010",), origin="cli")
    policy = resolve(config, more)
    assert policy.fail_on == "warning"
    assert not policy.allows("C016") and not policy.allows("C010") and policy.allows("C001")
    assert not policy.allows("X001")
    fresh = resolve(config, Settings(select=("C016",), origin="cli"))
    assert fresh.enabled == {"C016"} and fresh.fail_on == "warning"
    assert resolve(config, Settings(profile="ims-observed", strict=True, origin="cli")).strict


def test_layer_errors_name_their_origin() -> None:
    """An unknown code says which layer (file or command line) it came from."""
    with pytest.raises(
        ConfigurationError, match=r"^pyproject\.toml \[tool\.glance-validate\]: ignore: unknown"
    ):
        resolve(Settings(ignore=("Q1",), origin="pyproject.toml [tool.glance-validate]"))


# pyproject.toml ------------------------------------------------------------------------------------


def _pyproject(directory: Path, body: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "pyproject.toml"
    path.write_text(body)
    return path


def test_the_nearest_table_above_the_files_is_found(tmp_path: Path) -> None:
    """The walk starts where the checked files are and skips pyproject.toml files without the table."""
    top = _pyproject(tmp_path, '[tool.glance-validate]\nignore = ["C016"]\n')
    _pyproject(tmp_path / "sub", '[project]\nname = "x"\n')
    data = tmp_path / "sub" / "captures" / "deep"
    data.mkdir(parents=True)
    (data / "a.json").write_text("{}")
    assert find_pyproject([str(data / "a.json")]) == top
    assert find_pyproject([str(data)]) == top


def test_the_walk_starts_at_the_common_directory(tmp_path: Path) -> None:
    """Files in two projects use the configuration above both; stdin uses the working directory."""
    inner = _pyproject(tmp_path / "a", "[tool.glance-validate]\n")
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x.json").write_text("{}")
    (tmp_path / "b" / "y.json").write_text("{}")
    assert find_pyproject([str(tmp_path / "a" / "x.json")]) == inner
    assert find_pyproject([str(tmp_path / "a" / "x.json"), str(tmp_path / "b" / "y.json")]) != inner
    assert find_pyproject(["-"], cwd=tmp_path / "a") == inner


def test_start_directories_match_resolving_every_path(tmp_path: Path) -> None:
    """Resolving each parent once gives what resolving every path gives, links and odd names too."""
    from glance_validate.checks.config import _directory_of, _start_directories

    (tmp_path / "real" / "sub").mkdir(parents=True)
    (tmp_path / "real" / "a.json").write_text("{}")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "b.json").write_text("{}")
    (tmp_path / "real" / "link.json").symlink_to(tmp_path / "elsewhere" / "b.json")
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    given = [
        "real/a.json",
        "alias/a.json",
        "alias/link.json",
        "real/sub",
        "real/sub/",
        "real/sub/..",
        "real/.",
        "real/missing.json",
        str(tmp_path / "alias" / "sub"),
        "alias",
    ]
    expected = [str(_directory_of(tmp_path / p)) for p in given]
    assert _start_directories(tmp_path, given) == expected


def test_pyproject_keys_are_read(tmp_path: Path) -> None:
    """select, ignore (lists or comma-separated), fail-on or fail_on, profile and strict are read."""
    path = _pyproject(
        tmp_path,
        '[tool.glance-validate]\nselect = ["C", "K"]\nignore = "C016, C017"\nfail_on = "warning"\n'
        'profile = "ims-observed"\nstrict = false\n',
    )
    settings = read_pyproject(path)
    assert settings.select == ("C", "K") and settings.ignore == ("C016", "C017")
    assert (settings.fail_on, settings.profile, settings.strict) == ("warning", "ims-observed", False)


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ('selct = ["C"]', "unknown key selct"),
        ("select = 3", "select is 3"),
        ('strict = "yes"', "strict is 'yes'"),
        ("fail-on = 2", "fail-on is 2"),
        ("select = [", "not valid TOML"),
    ],
)
def test_bad_pyproject_tables_are_errors(tmp_path: Path, body: str, text: str) -> None:
    """Unknown keys, wrong types and broken TOML are errors naming the file."""
    path = _pyproject(tmp_path, f"[tool.glance-validate]\n{body}\n")
    with pytest.raises(ConfigurationError) as error:
        read_pyproject(path)
    assert text in str(error.value) and str(path) in str(error.value)


def test_a_pyproject_without_our_table_is_not_parsed(tmp_path: Path) -> None:
    """Another tool's broken TOML is not ours to report: without the table, no settings, no error."""
    _pyproject(tmp_path, "[tool.other]\nselect = [\n")
    assert find_pyproject([str(tmp_path)]) is None


def test_a_project_named_like_us_is_not_configured_by_its_name(tmp_path: Path) -> None:
    """The name as a value ([project] name = "glance-validate") is not the table."""
    _pyproject(tmp_path, '[project]\nname = "glance-validate"\ndescription = "glance-validate"\n')
    assert find_pyproject([str(tmp_path)]) is None


@pytest.mark.parametrize(
    "body",
    [
        '[tool.glance-validate]\nfail_on = "warning"\n',
        '[ tool . "glance-validate" ]\nfail_on = "warning"\n',
        "[tool.'glance-validate']\nfail_on = 'warning'\n",
        '[tool]\nglance-validate.fail_on = "warning"\n',
        'tool.glance-validate.fail_on = "warning"\n',
        'tool = {glance-validate = {fail_on = "warning"}}\n',
        '[tool]\n"glance-validate" = {fail_on = "warning"}\n',
    ],
)
def test_every_spelling_of_the_table_is_found(tmp_path: Path, body: str) -> None:
    """However TOML spells the table's name, it is found and read."""
    path = _pyproject(tmp_path, body)
    assert find_pyproject([str(tmp_path)]) == path
    assert read_pyproject(path).fail_on == "warning"


def test_settings_from_a_mapping() -> None:
    """The same keys work from any mapping (for tools that embed the settings)."""
    settings = settings_from_mapping({"ignore": ["X"], "fail-on": "info"}, "embedded")
    assert resolve(settings).fail_on == "info"


# Runs --------------------------------------------------------------------------------------------


def _run_in(directory: Path, *extra: Any, **options: Any) -> tuple[int, str, str]:
    path = directory / "page.json"
    path.write_text(json.dumps(sample_page(_image(checksum="ABC", tags=["a", "a"])), indent=2))
    out, err = io.StringIO(), io.StringIO()
    code = run(RunOptions(paths=[str(path), *extra], **options), out, err)
    return code, out.getvalue(), err.getvalue()


def test_a_run_reads_the_table_of_its_project(tmp_path: Path) -> None:
    """ignore and fail-on of the project's pyproject.toml apply to a run over its files."""
    _pyproject(tmp_path, '[tool.glance-validate]\nignore = ["C010"]\nfail-on = "warning"\n')
    code, out, _ = _run_in(tmp_path)
    assert "C010" not in out and "C016" in out
    assert code == ExitCode.FINDINGS  # C016 is a warning, and fail-on is warning


def test_the_command_line_layer_wins(tmp_path: Path) -> None:
    """--select on the command line replaces the table's selection; --fail-on replaces its fail-on."""
    _pyproject(tmp_path, '[tool.glance-validate]\nignore = ["C010"]\nfail-on = "warning"\n')
    code, out, _ = _run_in(tmp_path, rules=Settings(select=("C010",), fail_on="error", origin="command line"))
    assert "C010" in out and "C016" not in out
    assert code == ExitCode.FINDINGS
    code, out, _ = _run_in(tmp_path, rules=Settings(select=("C016",), fail_on="error", origin="command line"))
    assert code == ExitCode.OK


def test_unknown_codes_in_the_table_are_a_usage_error(tmp_path: Path) -> None:
    """An unknown code in pyproject.toml exits 2 with one line naming the file and the code."""
    path = _pyproject(tmp_path, '[tool.glance-validate]\nignore = ["C010", "W605"]\n')
    code, out, err = _run_in(tmp_path)
    assert code == ExitCode.USAGE and out == ""
    assert err.count("\n") == 1 and str(path) in err and "W605" in err and "C010" not in err.split(":")[-1]


def test_command_line_options(tmp_path: Path) -> None:
    """--select/--ignore/--fail-on/--profile/--strict reach the run; bad values exit 2."""
    page = tmp_path / "page.json"
    page.write_text(json.dumps(sample_page(_image(checksum="ABC", tags=["a", "a"]))))

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "glance_validate", "-q", *args, str(page)],
            capture_output=True,
            text=True,
            check=False,
            cwd=tmp_path,
        )
        assert "Traceback" not in result.stderr
        return result

    only = cli("--select", "C016")
    assert only.returncode == 0 and "C016" in only.stdout and "C010" not in only.stdout
    assert cli("--select", "C016", "--fail-on", "warning").returncode == 1
    assert cli("--ignore", "C010,C016").stdout == ""
    bad = cli("--ignore", "C0100")
    assert bad.returncode == 2 and "C0100" in bad.stderr and bad.stderr.count("\n") == 1
    assert cli("--profile", "nope").returncode == 2
    assert cli("--fail-on", "fatal").returncode == 2
