"""The command line's help says what the commands do, and every command exits through one guard."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from glance_validate.cli.guard import guarded
from glance_validate.cli.main import main
from glance_validate.cli.schema import FETCH_CACHE_TTL
from glance_validate.core.exitcodes import ExitCode
from glance_validate.net.cache import DEFAULT_TTL, parse_duration

JUNO = Path(__file__).resolve().parent.parent / "fixtures" / "compat" / "juno-era-list.json"


def _help(*command: str) -> str:
    """The help of a command with its line breaks and indentation folded into single spaces."""
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def _option_help(text: str, option: str) -> str:
    """The help of one option in the options list: from its name up to the next option."""
    match = re.search(rf" {option} (.*?)(?= --?[a-z])", text.split("Options:")[1])
    assert match is not None, text
    return match.group(1)


def test_group_help_says_a_path_means_check() -> None:
    """glance-validate --help says PATH is short for check PATH, and so it is."""
    assert "glance-validate PATH... is short for glance-validate check PATH..." in _help()
    short, long = (
        CliRunner().invoke(main, [*args, str(JUNO), "--format", "json"]) for args in ([], ["check"])
    )
    untimed = [re.sub(r"\"seconds\": [0-9.]+", "", r.output) for r in (short, long)]
    assert (short.exit_code, untimed[0]) == (long.exit_code, untimed[1])


def test_group_help_lists_every_exit_code() -> None:
    """The exit-code table of glance-validate --help names every ExitCode, 130 included."""
    table = _help().split("Exit codes:")[1]
    assert [code for code in ExitCode if not re.search(rf"\b{code.value}\b", table)] == []


def test_fetch_help_offers_only_what_fetch_accepts() -> None:
    """schema fetch --help offers a URL for --schema, not the builtin names fetch rejects."""
    schema_help = _option_help(_help("schema", "fetch"), "--schema")
    assert schema_help.startswith("URL ") and "ims" not in schema_help and "stdin" not in schema_help
    refused = CliRunner().invoke(main, ["schema", "fetch", "--schema", "ims"])
    assert refused.exit_code == ExitCode.USAGE and "--schema URL" in refused.output


@pytest.mark.parametrize(
    ("command", "default"),
    [
        (("check",), DEFAULT_TTL),
        (("schema", "show"), DEFAULT_TTL),
        (("schema", "lint"), DEFAULT_TTL),
        (("schema", "diff"), DEFAULT_TTL),
        (("schema", "fetch"), FETCH_CACHE_TTL),
    ],
)
def test_cache_ttl_help_says_the_commands_own_default(command: tuple[str, ...], default: float) -> None:
    """--cache-ttl of each command states that command's default, and no other command's."""
    ttl_help = _option_help(_help(*command), "--cache-ttl")
    (stated,) = re.findall(r"\[default: ([^]]+)\]", ttl_help)
    assert parse_duration(stated) == default and "schema fetch" not in ttl_help


def test_an_interrupted_command_exits_130() -> None:
    """Ctrl-C during any command's run: one line, exit 130 (the help's table says so)."""

    def interrupted() -> int:
        raise KeyboardInterrupt

    assert guarded(interrupted) == 130


def test_a_bug_in_a_command_exits_3() -> None:
    """An exception escaping a command's run is an internal error: exit 3, not a traceback."""

    def broken() -> int:
        raise RuntimeError("boom")

    assert guarded(broken) == ExitCode.TOOL_FAILURE
