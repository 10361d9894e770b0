"""The generators behind the public strategies and the fuzz command: realism, consistency,
shrinking, determinism, and the fuzz command's files and exit codes."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from functools import cache
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, find, given, settings
from operator_schemas import operator_list_schema, schemas, strict_image_schema

from glance_validate.checks.validation import Validator
from glance_validate.core.errors import SchemaUnavailable
from glance_validate.core.exitcodes import ExitCode
from glance_validate.generate import regex_strings, synthesis
from glance_validate.generate.fuzz import FuzzOptions
from glance_validate.generate.fuzz import run as run_fuzz
from glance_validate.generate.model import Model, RandomChoices, SynthesisError, model_for
from glance_validate.generate.mutations import Broken
from glance_validate.strategies import image_lists, images, invalid_image_lists, invalid_images

SCHEMAS = schemas()
UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
RFC3339_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
HEX = re.compile(r"[0-9a-f]+")
FIND = settings(database=None, derandomize=True, max_examples=300, suppress_health_check=list(HealthCheck))


@cache
def model(name: str) -> Model:
    return model_for(SCHEMAS[name])


def pages(name: str, count: int = 150, seed: int = 20) -> list[dict[str, Any]]:
    generator = model(name)
    choices = RandomChoices(seed)
    return [synthesis.image_list(choices, generator, 0, 6) for _ in range(count)]


def records(name: str, count: int = 150) -> Iterator[dict[str, Any]]:
    for page in pages(name, count):
        yield from page["images"]


def declared_types(name: str, key: str) -> set[str] | None:
    schema = model(name).properties.get(key)
    if schema is None or "type" not in schema:
        return None
    declared = schema["type"]
    return {declared} if isinstance(declared, str) else set(declared)


# Consistency of generated records -----------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_ids_are_lowercase_uuid4_and_distinct_on_a_page(name: str) -> None:
    """Image ids are lowercase uuid4 strings, never repeated within a page."""
    for page in pages(name):
        ids = [image["id"] for image in page["images"]]
        assert all(UUID4.fullmatch(i) for i in ids), ids
        assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_links_name_the_image(name: str) -> None:
    """self is /v2/images/<id>, file is /v2/images/<id>/file, schema is /v2/schemas/image."""
    for image in records(name):
        assert image["self"] == f"/v2/images/{image['id']}"
        assert image["file"] == f"/v2/images/{image['id']}/file"
        assert image["schema"] == "/v2/schemas/image"


@pytest.mark.parametrize("name", ["ims", "glance", "operator"])
def test_next_appears_on_full_pages_with_the_last_id_as_marker(name: str) -> None:
    """next is first's link plus marker=<last id>, present exactly when the page holds limit images."""
    seen_next = seen_last_page = False
    for page in pages(name):
        first, images_on_page = page["first"], page["images"]
        limit = int(re.search(r"[?&]limit=(\d+)", first).group(1))  # type: ignore[union-attr]
        assert "marker=" not in first
        assert page["schema"] == "/v2/schemas/images"
        if "next" in page:
            seen_next = True
            assert len(images_on_page) == limit
            assert page["next"] == f"{first}&marker={images_on_page[-1]['id']}"
        else:
            seen_last_page = True
            assert len(images_on_page) < limit
    assert seen_next and seen_last_page


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_timestamps_are_rfc3339_and_updated_is_not_before_created(name: str) -> None:
    """created_at and updated_at are RFC 3339 UTC date-times, and updated_at >= created_at."""
    for image in records(name):
        created, updated = image["created_at"], image["updated_at"]
        assert RFC3339_UTC.fullmatch(created) and RFC3339_UTC.fullmatch(updated)
        assert datetime.fromisoformat(updated[:-1]) >= datetime.fromisoformat(created[:-1])


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_checksums_and_hashes_have_the_right_length(name: str) -> None:
    """checksum is 32 lowercase hex digits; os_hash_value is as long as os_hash_algo's hexdigest."""
    hashed = 0
    for image in records(name):
        if image.get("checksum") is not None:
            assert HEX.fullmatch(image["checksum"]) and len(image["checksum"]) == 32
        if image.get("os_hash_algo") is not None:
            hashed += 1
            digits = hashlib.new(image["os_hash_algo"]).digest_size * 2
            assert HEX.fullmatch(image["os_hash_value"]) and len(image["os_hash_value"]) == digits
        else:
            assert image.get("os_hash_value") is None
    assert hashed > 0 or declared_types(name, "os_hash_algo") is None


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_status_agrees_with_the_data(name: str) -> None:
    """An active image has an integer size; a queued one has no size, checksum or hash."""
    statuses = set()
    for image in records(name):
        statuses.add(image["status"])
        if image["status"] == "active":
            assert isinstance(image["size"], int) and image["size"] > 0
        if image["status"] == "queued":
            assert all(image.get(k) is None for k in ("size", "checksum", "os_hash_algo", "os_hash_value"))
    assert {"active", "queued"} <= statuses


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_nulls_appear_only_where_the_schema_allows_them(name: str) -> None:
    """A null value is only ever given to a property whose declared type includes null."""
    nulls = 0
    for image in records(name):
        for key, value in image.items():
            if value is None:
                nulls += 1
                assert "null" in (declared_types(name, key) or set()), key
    nullable = any("null" in (declared_types(name, k) or set()) for k in model(name).properties)
    assert (nulls > 0) == nullable


@pytest.mark.parametrize("name", ["ims", "glance", "operator"])
def test_extension_properties_are_strings(name: str) -> None:
    """Properties the schema does not list are strings, and some records carry them."""
    declared = model(name).properties
    extensions = [(k, v) for image in records(name) for k, v in image.items() if k not in declared]
    assert extensions
    assert all(isinstance(v, str) for _, v in extensions)


def test_ims_extension_values_are_documented_and_agree() -> None:
    """IMS __* values come from the documented sets, and platform, OS type and bits agree."""
    for image in records("ims"):
        if "__platform" not in image:
            continue
        assert image["__os_bit"] in ("32", "64")
        assert image["__os_version"].endswith(f"{image['__os_bit']}bit")
        windows = image["__platform"] == "Windows"
        assert (image["__os_type"] == "Windows") == windows
        if "__image_size" in image:
            assert image["__image_size"] == str(image["size"])


@pytest.mark.parametrize("name", ["ims", "glance"])
def test_amazon_formats_pair_container_and_disk(name: str) -> None:
    """ami, ari and aki are used for container and disk together, as Glance requires."""
    for image in records(name):
        formats = {image.get("container_format"), image.get("disk_format")}
        if formats & {"ami", "ari", "aki"}:
            assert len(formats) == 1, formats


def test_direct_url_is_one_of_the_locations() -> None:
    """When both are sent, direct_url is the url of one of the image's locations."""
    both = [i for i in records("glance", 400) if "direct_url" in i and i.get("locations")]
    assert both
    for image in both:
        assert image["direct_url"] in [loc["url"] for loc in image["locations"]]


def test_kilo_and_later_schemas_get_every_always_sent_field() -> None:
    """Under the current Glance schema every field Glance always sends is present (null or not)."""
    always = {"name", "disk_format", "container_format", "visibility", "size", "virtual_size", "status"}
    always |= {"checksum", "protected", "min_ram", "min_disk", "owner", "os_hidden", "os_hash_algo"}
    always |= {"os_hash_value", "id", "created_at", "updated_at", "tags", "self", "file", "schema"}
    for image in records("glance"):
        assert always <= set(image), always - set(image)


def test_operator_custom_properties_are_generated_within_their_schema() -> None:
    """An operator's custom properties appear, each satisfying its enum or pattern."""
    found: dict[str, set[object]] = {}
    for image in records("operator", 300):
        for key in ("hw_os_tier", "backup_policy", "cost_center", "replica_zone"):
            if key in image:
                found.setdefault(key, set()).add(image[key])
    assert set(found) == {"hw_os_tier", "backup_policy", "cost_center", "replica_zone"}
    assert found["hw_os_tier"] <= {"gold", "silver", "bronze"}
    assert all(v is None or re.fullmatch(r"[a-z]+-[0-9]{2}", str(v)) for v in found["backup_policy"])
    assert all(re.fullmatch(r"(az|dc)[1-9]", str(v)) for v in found["replica_zone"])
    assert all(len(str(v)) <= 12 for v in found["cost_center"])


def test_strict_schema_records_have_every_required_property_and_nothing_else() -> None:
    """Required properties are always there, and nothing outside properties is added."""
    schema = strict_image_schema()
    for image in records("strict"):
        assert set(schema["required"]) <= set(image)
        assert set(image) <= set(schema["properties"])
        assert 1 <= image["min_vcpus"] <= 64
        assert 3 <= len(image["label"]) <= 20


# Determinism --------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_records() -> None:
    """Two RandomChoices with one seed give equal pages; another seed gives different ones."""
    assert pages("glance", 20, seed=5) == pages("glance", 20, seed=5)
    assert pages("glance", 20, seed=5) != pages("glance", 20, seed=6)


# Hypothesis strategies ----------------------------------------------------------------------


@settings(max_examples=30)
@given(page=image_lists("glance", min_size=1, max_size=3))
def test_hypothesis_draws_keep_records_consistent(page: dict[str, Any]) -> None:
    """Under hypothesis's draws (extreme integers included) pages stay consistent."""
    assert 1 <= len(page["images"]) <= 3
    ids = [i["id"] for i in page["images"]]
    assert len(set(ids)) == len(ids) and all(UUID4.fullmatch(i) for i in ids)
    for image in page["images"]:
        assert image["self"] == f"/v2/images/{image['id']}"
        assert image["updated_at"] >= image["created_at"]


def test_images_shrink_to_small_records() -> None:
    """A shrunk image holds the always-sent fields and at most two optional ones, no extensions."""
    smallest = find(images("glance"), lambda image: True, settings=FIND)
    always = {
        "id", "name", "status", "visibility", "protected", "os_hidden", "container_format",
        "disk_format", "min_disk", "min_ram", "size", "virtual_size", "checksum", "os_hash_algo",
        "os_hash_value", "owner", "tags", "created_at", "updated_at", "self", "file", "schema",
    }  # fmt: skip
    assert always <= set(smallest)
    assert len(set(smallest) - always) <= 2, set(smallest) - always
    assert set(smallest) <= set(model("glance").properties)
    assert smallest["status"] not in synthesis.DATA_STATUSES
    # Shrinking is best effort: in the full suite's order it has been seen to stop at one tag.
    assert len(smallest["tags"]) <= 1


def test_list_pages_shrink_to_the_requested_size() -> None:
    """Asked for a page of at least two images, shrinking finds one of exactly two small images."""
    smallest = find(image_lists("ims"), lambda page: len(page["images"]) >= 2, settings=FIND)
    assert len(smallest["images"]) == 2
    assert all(not any(k.startswith("__") for k in image) for image in smallest["images"])


def test_broken_payloads_shrink_too() -> None:
    """A page broken inside an image shrinks to a page of one image."""
    broken = invalid_image_lists("glance", max_size=3)
    smallest = find(broken, lambda b: b.code.startswith("K"), settings=FIND)
    assert len(smallest.payload["images"]) == 1
    assert smallest.path.startswith("/images/0/")


@settings(max_examples=20)
@given(broken=invalid_images("ims"))
def test_invalid_images_carry_their_expected_finding(broken: Broken) -> None:
    """A Broken value names a catalogued code, a pointer into the payload, and what was changed."""
    assert broken.expected_finding() == {"code": broken.code, "path": broken.path}
    assert broken.mutation
    assert re.fullmatch(r"[KSCDX]\d{3}", broken.code)


def test_importing_the_strategies_module_does_not_import_hypothesis() -> None:
    """hypothesis is imported when a strategy is built, not on import of the module."""
    code = "import sys, glance_validate.strategies; print('hypothesis' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_without_hypothesis_a_strategy_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Building a strategy without hypothesis raises ImportError naming the extra to install."""
    monkeypatch.setitem(sys.modules, "hypothesis", None)
    with pytest.raises(ImportError, match=r"glance-validate\[hypothesis\]"):
        images("ims")


def test_sizes_are_checked() -> None:
    """min_size above max_size (or negative) is refused when the strategy is built."""
    with pytest.raises(ValueError, match="min_size"):
        image_lists("ims", min_size=3, max_size=2)
    with pytest.raises(ValueError, match="min_size"):
        invalid_image_lists("ims", min_size=-1)


def test_an_unusable_schema_is_refused_when_the_strategy_is_built(tmp_path: Path) -> None:
    """A schema that cannot be read raises SchemaUnavailable at once, naming the file."""
    missing = tmp_path / "nope.json"
    with pytest.raises(SchemaUnavailable, match=r"nope\.json"):
        images(str(missing))


def test_a_required_property_with_an_ungenerable_pattern_is_an_error() -> None:
    """A required property whose pattern uses a look-ahead raises SynthesisError naming it."""
    schema = strict_image_schema()
    schema["properties"]["label"] = {"type": "string", "pattern": "^(?=[a-z])[a-z0-9]+$"}
    with pytest.raises(SynthesisError, match="look-around"):
        synthesis.image(RandomChoices(1), model_for(schema))


# Pattern strings ----------------------------------------------------------------------------

PATTERNS = [
    "^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$",
    r"^[a-z]+-\d{2}$",
    "^(gold|silver|bronze)$",
    r"^\w{3,5}\.[^a-z]?$",
    r"^\d+(\.\d+)*$",
    r"^[\w-]+$",
    "x{2,}",
    r"^\S+@\S+$",
    r"^\u00e9[\x41-\x43]$",
    "a{x}",
]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_pattern_strings_match_their_pattern(pattern: str) -> None:
    """Strings generated for a pattern match it under ECMA-262 rules, and vary."""
    choices = RandomChoices(3)
    made = [regex_strings.matching_string(pattern, choices) for _ in range(30)]
    assert all(not regex_strings.breaks(pattern, s) for s in made)
    assert len(set(made)) > 1 or pattern in ("a{x}",)


@pytest.mark.parametrize("pattern", [r"^(?=a)a$", r"^(a)\1$", r"\bword\b", "a**", "[b-a]", "(ab"])
def test_unsupported_patterns_are_refused(pattern: str) -> None:
    """Look-arounds, back-references, word boundaries and malformed patterns raise UnsupportedPattern."""
    with pytest.raises(regex_strings.UnsupportedPattern):
        regex_strings.matching_string(pattern, RandomChoices(1))


# The fuzz command ---------------------------------------------------------------------------


def fuzz(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "glance_validate", "fuzz", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def written(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def expected_of(payload: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(payload.with_name(payload.stem + ".expected.json").read_text("utf-8"))
    return data


def payload_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.json") if not p.name.endswith(".expected.json"))


def test_fuzz_writes_valid_payloads_with_empty_expectations(tmp_path: Path) -> None:
    """fuzz writes COUNT payload files, each with an expected file saying it has no findings."""
    result = fuzz("--count", "6", "--out", str(tmp_path), "--seed", "3", "--schema", "glance")
    assert result.returncode == 0, result.stderr
    assert "wrote 6 valid image-list payloads" in result.stdout and "(seed 3)" in result.stdout
    files = payload_files(tmp_path)
    assert [p.name for p in files] == [f"image-list-000{i}.json" for i in range(1, 7)]
    validator = Validator("glance")
    for path in files:
        assert expected_of(path) == {"schema": "glance", "kind": "image-list", "findings": []}
        result_of_file = validator.validate(path)
        assert result_of_file.kind == "image-list" and result_of_file.findings == ()


def test_fuzz_invalid_payloads_give_exactly_their_expected_finding(tmp_path: Path) -> None:
    """With --invalid each file yields exactly the finding its expected file names."""
    result = fuzz("-n", "25", "--out", str(tmp_path), "--invalid", "--seed", "8")
    assert result.returncode == 0, result.stderr
    validator = Validator("ims")
    codes = set()
    for path in payload_files(tmp_path):
        expected = expected_of(path)
        assert path.name.startswith("invalid-image-list-")
        assert expected["schema"] == "ims" and expected["kind"] == "image-list" and expected["mutation"]
        found = [{"code": f.code, "path": f.path} for f in validator.validate(path).findings]
        assert found == expected["findings"], path.name
        codes.add(expected["findings"][0]["code"])
    assert len(codes) >= 4


def test_fuzz_single_images_against_a_schema_file(tmp_path: Path) -> None:
    """--kind image with a schema file writes single images that the same schema accepts."""
    schema_file = tmp_path / "operator.json"
    schema_file.write_text(json.dumps(operator_list_schema()), "utf-8")
    out = tmp_path / "out"
    result = fuzz(
        "-n", "5", "--out", str(out), "--kind", "image", "--schema", str(schema_file), "--seed", "1"
    )
    assert result.returncode == 0, result.stderr
    assert json.loads((out / "schema.json").read_text("utf-8")) == operator_list_schema()
    validator = Validator(str(schema_file))
    for path in payload_files(out):
        if path.name == "schema.json":
            continue
        assert expected_of(path)["schema"] == "schema.json"
        checked = validator.validate(path)
        assert checked.kind == "image" and checked.findings == ()


def test_fuzz_directories_check_like_the_fixtures_folder(tmp_path: Path) -> None:
    """A fuzzed directory (schema from stdin) passes the fixtures folder's check: each payload,
    the schema file included, gives exactly the expected kind and findings, the schema named in
    its expected file being found beside it."""
    document = json.dumps(strict_image_schema())
    arguments = ["-n", "12", "--out", str(tmp_path), "--invalid", "--schema", "-", "--seed", "4"]
    result = subprocess.run(
        [sys.executable, "-m", "glance_validate", "fuzz", *arguments],
        input=document,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "against <stdin>" in result.stdout
    files = payload_files(tmp_path)
    assert "schema.json" in [p.name for p in files] and len(files) == 13
    for path in files:
        expected = expected_of(path)
        name = str(expected["schema"])
        schema = str(path.parent / name) if name.endswith(".json") else name
        checked = Validator(schema).validate(path)
        assert checked.kind == expected["kind"], path.name
        assert [{"code": f.code, "path": f.path} for f in checked.findings] == expected["findings"], path.name


def test_fuzz_is_deterministic_across_processes(tmp_path: Path) -> None:
    """The same seed writes byte-identical files in two processes with different hash seeds."""
    for run, hash_seed in (("a", "1"), ("b", "2")):
        result = fuzz(
            "-n",
            "8",
            "--out",
            str(tmp_path / run),
            "--invalid",
            "--seed",
            "42",
            env={"PYTHONHASHSEED": hash_seed},
        )
        assert result.returncode == 0, result.stderr
    assert written(tmp_path / "a") == written(tmp_path / "b")
    other = fuzz("-n", "8", "--out", str(tmp_path / "c"), "--invalid", "--seed", "43")
    assert other.returncode == 0
    assert written(tmp_path / "c") != written(tmp_path / "a")


def test_fuzz_without_a_seed_prints_the_one_that_reproduces_it(tmp_path: Path) -> None:
    """Without --seed a random seed is used and printed; running with it writes the same files."""
    first = fuzz("-n", "3", "--out", str(tmp_path / "a"))
    seed = re.search(r"\(seed (\d+)\)", first.stdout)
    assert first.returncode == 0 and seed is not None
    again = fuzz("-n", "3", "--out", str(tmp_path / "b"), "--seed", seed.group(1))
    assert again.returncode == 0
    assert written(tmp_path / "a") == written(tmp_path / "b")


def test_fuzz_bad_schema_exits_3_with_one_line(tmp_path: Path) -> None:
    """An unusable schema exits 3 with one line naming it, and writes nothing."""
    result = fuzz("--out", str(tmp_path / "out"), "--schema", str(tmp_path / "missing.json"))
    assert result.returncode == 3
    assert result.stderr.count("\n") == 1 and "missing.json" in result.stderr
    assert not (tmp_path / "out").exists()


def test_fuzz_usage_errors_exit_2(tmp_path: Path) -> None:
    """A file as --out, a zero count or a missing --out are usage errors (exit 2)."""
    a_file = tmp_path / "file"
    a_file.write_text("x")
    assert fuzz("--out", str(a_file)).returncode == 2
    assert fuzz("--out", str(tmp_path), "--count", "0").returncode == 2
    assert fuzz("--count", "2").returncode == 2


def test_fuzz_unwritable_directory_exits_3(tmp_path: Path) -> None:
    """An --out below a regular file cannot be created: exit 3 with one line naming it."""
    a_file = tmp_path / "file"
    a_file.write_text("x")
    result = fuzz("--out", str(a_file / "sub"))
    assert result.returncode == 3
    assert "file/sub" in result.stderr and result.stderr.count("\n") == 1


def profile_in_a_fresh_process(env: dict[str, str]) -> list[str]:
    code = (
        "from hypothesis import settings; from hypothesis_profiles import register_and_load; "
        "name = register_and_load(); s = settings(); print(name, s.max_examples, s.derandomize, s.database)"
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("CI", "GLANCE_VALIDATE_HYPOTHESIS_PROFILE")}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).parent,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.split()


def test_ci_selects_a_bounded_derandomized_profile() -> None:
    """CI=true loads the ci profile: bounded examples, derandomized, no example database;
    elsewhere the local profile, random, and a variable selects the thorough one."""
    assert profile_in_a_fresh_process({"CI": "true"}) == ["ci", "40", "True", "None"]
    local = profile_in_a_fresh_process({})
    assert local[:3] == ["local", "100", "False"]
    thorough = profile_in_a_fresh_process({"GLANCE_VALIDATE_HYPOTHESIS_PROFILE": "thorough"})
    assert thorough[:2] == ["thorough", "2000"]


def test_derandomized_strategies_draw_the_same_examples_in_two_processes() -> None:
    """Under derandomize (the ci profile) two processes with different hash seeds draw the same
    pages and the same broken payloads."""
    code = (
        "import json\n"
        "from hypothesis import given, settings, Phase\n"
        "from glance_validate.strategies import image_lists, invalid_image_lists\n"
        "seen = []\n"
        "@settings(derandomize=True, database=None, max_examples=15, phases=[Phase.generate])\n"
        "@given(image_lists('ims', max_size=3), invalid_image_lists('glance', max_size=3))\n"
        "def collect(page, broken):\n"
        "    seen.append([page, broken.payload, broken.code, broken.path])\n"
        "collect()\n"
        "print(json.dumps(seen, sort_keys=True))\n"
    )
    outputs = [
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for hash_seed in ("1", "2")
    ]
    assert outputs[0] == outputs[1]
    assert len(json.loads(outputs[0])) == 15


def test_fuzz_run_says_what_it_wrote(tmp_path: Path) -> None:
    """fuzz.run writes the payloads and one line naming count, kind, schema and seed; exit 0."""
    out, err = StringIO(), StringIO()
    options = FuzzOptions(out=tmp_path, count=2, seed=5, kind="image")
    assert run_fuzz(options, out, err) is ExitCode.OK
    assert out.getvalue() == f"wrote 2 valid image payloads to {tmp_path} against ims (seed 5)\n"
    assert len(list(tmp_path.glob("image-*.expected.json"))) == 2


def test_fuzz_run_into_a_file_fails(tmp_path: Path) -> None:
    """fuzz.run with --out naming a file: the reason on err, exit 3, nothing on out."""
    (tmp_path / "taken").write_text("")
    out, err = StringIO(), StringIO()
    assert run_fuzz(FuzzOptions(out=tmp_path / "taken", count=1, seed=1), out, err) is ExitCode.TOOL_FAILURE
    assert out.getvalue() == "" and err.getvalue().startswith("glance-validate fuzz: cannot write")
