"""Fuzz: write generated payloads and their expected findings to a directory.

Each payload is ``NAME.json`` with ``NAME.expected.json`` beside it, in the format of the
project's ``fixtures/`` folder: ``{"schema", "kind", "findings": [{"code", "path"}]}`` (empty
findings for a valid payload; one finding for a broken one, plus a ``mutation`` note saying what
was broken). A builtin schema is named; any other schema (a file, stdin, a parsed mapping) is
written beside the payloads as ``schema.json`` and named so, as fixtures name theirs, which makes
the directory self-contained. A seed decides everything: the same seed, schema and options write
the same bytes in any process, on any machine.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TextIO

from glance_validate.core.errors import GlanceValidateError
from glance_validate.core.exitcodes import ExitCode
from glance_validate.generate import mutations, synthesis
from glance_validate.generate.model import Model, RandomChoices, model_for
from glance_validate.schema.dialect import compile_dialect
from glance_validate.schema.documents import SchemaDocument, SchemaSpec
from glance_validate.schema.sources import BUILTIN_SCHEMAS, load_schema

PayloadKind = Literal["image-list", "image"]
KINDS: tuple[PayloadKind, ...] = ("image-list", "image")
SCHEMA_FILE = "schema.json"


@dataclass(frozen=True)
class FuzzOptions:
    out: Path
    count: int
    invalid: bool = False
    seed: int | None = None
    schema: SchemaSpec = "ims"
    kind: PayloadKind = "image-list"
    max_images: int = 5


@dataclass(frozen=True)
class FuzzReport:
    seed: int
    schema_name: str
    payloads: tuple[Path, ...]


def run(options: FuzzOptions, out: TextIO, err: TextIO) -> ExitCode:
    """Write the payloads and say where to ``out``; a schema or a directory that fails is 3."""
    try:
        report = fuzz(options)
    except GlanceValidateError as exc:
        err.write(f"glance-validate fuzz: {exc}\n")
        return ExitCode.TOOL_FAILURE
    except OSError as exc:
        where = exc.filename if exc.filename is not None else options.out
        err.write(f"glance-validate fuzz: cannot write {str(where)!r}: {exc.strerror or exc}\n")
        return ExitCode.TOOL_FAILURE
    what = "broken" if options.invalid else "valid"
    written = f"wrote {len(report.payloads)} {what} {options.kind} payloads to {options.out}"
    out.write(f"{written} against {report.schema_name} (seed {report.seed})\n")
    return ExitCode.OK


def fuzz(options: FuzzOptions) -> FuzzReport:
    """Write ``options.count`` payloads; raises SchemaUnavailable, SynthesisError or OSError."""
    seed = options.seed if options.seed is not None else secrets.randbits(32)
    builtin = isinstance(options.schema, str) and options.schema in BUILTIN_SCHEMAS
    document = None if builtin else load_schema(options.schema).document
    model = model_for(options.schema if document is None else compile_dialect(_named(document)))
    choices = RandomChoices(seed)
    options.out.mkdir(parents=True, exist_ok=True)
    label = str(options.schema) if document is None else _write_schema(options.out, document)
    written = []
    for number in range(1, options.count + 1):
        payload, expected = _one(choices, model, options)
        stem = f"{'invalid-' if options.invalid else ''}{options.kind}-{number:04d}"
        path = options.out / f"{stem}.json"
        _write(path, payload)
        _write(options.out / f"{stem}.expected.json", {"schema": label, "kind": options.kind, **expected})
        written.append(path)
    return FuzzReport(seed=seed, schema_name=_display_name(options.schema), payloads=tuple(written))


def _display_name(schema: SchemaSpec) -> str:
    if isinstance(schema, (str, Path)):
        return "<stdin>" if str(schema) == "-" else str(schema)
    return "<dict>"


def _named(document: dict[str, Any]) -> SchemaDocument:
    return SchemaDocument(SCHEMA_FILE, document)


def _write_schema(out: Path, document: dict[str, Any]) -> str:
    """The schema beside the payloads, with what the library reports about it as a payload."""
    from glance_validate.checks.validation import Validator

    path = out / SCHEMA_FILE
    _write(path, document)
    result = Validator(document).validate(path)
    found = [{"code": f.code, "path": f.path} for f in result.findings]
    _write(out / "schema.expected.json", {"schema": SCHEMA_FILE, "kind": result.kind, "findings": found})
    return SCHEMA_FILE


def _one(choices: RandomChoices, model: Model, options: FuzzOptions) -> tuple[Any, dict[str, Any]]:
    if options.kind == "image":
        payload: dict[str, Any] = synthesis.image(choices, model)
        if not options.invalid:
            return payload, {"findings": []}
        broken = mutations.break_image(choices, model, payload)
    else:
        payload = synthesis.image_list(choices, model, 0, options.max_images)
        if not options.invalid:
            return payload, {"findings": []}
        broken = mutations.break_list(choices, model, payload)
    return broken.payload, {"findings": [broken.expected_finding()], "mutation": broken.mutation}


def _write(path: Path, value: object) -> None:
    path.write_bytes((json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
