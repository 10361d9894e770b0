"""The fuzz target for JSON loading and position mapping: a bounded run, and its regressions replayed.

``fuzz/fuzz_jsontext.py`` is run by atheris (coverage-guided, libFuzzer) for a bounded number of
inputs; the same ``check`` also runs under hypothesis on bytes and on JSON-like text, so the
properties are exercised even where atheris has no wheel. Inputs that once failed, or sit on a
boundary of the parser, are kept in tests/hostile/fuzz-regressions.json and replayed.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
FUZZ = ROOT / "fuzz" / "fuzz_jsontext.py"
REGRESSIONS = ROOT / "tests" / "hostile" / "fuzz-regressions.json"
RUNS = 8_000


def _target() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fuzz_jsontext", FUZZ)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TARGET = _target()
CASES = json.loads(REGRESSIONS.read_text("utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["about"][:50] for c in CASES])
def test_regression_inputs_pass_the_target(case: dict[str, str]) -> None:
    """Each kept input passes every property of the target (fast path = exact parser, positions...)."""
    TARGET.check(base64.b64decode(case["base64"]))


def test_a_bounded_coverage_guided_run_finds_nothing(tmp_path: Path) -> None:
    """atheris runs the target on 8,000 inputs grown from the seeds and the dictionary: no failure."""
    pytest.importorskip("atheris", reason="atheris has wheels for Linux x86-64, CPython 3.11-3.13 only")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    result = subprocess.run(
        [
            sys.executable, str(FUZZ), f"-dict={ROOT / 'fuzz' / 'json.dict'}", f"-runs={RUNS}",
            "-max_len=2048", "-seed=8", f"-artifact_prefix={tmp_path}/",
            str(corpus), str(ROOT / "fuzz" / "seeds"),
        ],
        capture_output=True, text=True, timeout=600, cwd=ROOT, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"Done {RUNS} runs" in result.stderr
    assert not list(tmp_path.glob("crash-*")) and not list(tmp_path.glob("timeout-*"))


@given(st.binary(max_size=300))
def test_the_target_holds_for_any_bytes(data: bytes) -> None:
    """Hypothesis feeds the same check with arbitrary bytes."""
    TARGET.check(data)


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)


@given(_VALUES, st.integers(0, 400), st.sampled_from([b"", b"}", b"]", b",", b"NaN", b"\xff", b'"a":1,"a"']))
def test_the_target_holds_for_json_cut_and_spliced(value: object, cut: int, splice: bytes) -> None:
    """Valid JSON (indented with CRLF or compact), cut short and spliced with a hostile token."""
    for text in (json.dumps(value), json.dumps(value, indent=1).replace("\n", "\r\n")):
        data = text.encode("utf-8", "surrogatepass")
        TARGET.check(data)
        TARGET.check(data[:cut] + splice + data[cut:])
