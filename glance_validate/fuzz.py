"""Fuzz: write generated payloads and their expected findings to a directory.

Each payload is ``NAME.json`` with ``NAME.expected.json`` beside it, in the format of the
project's ``fixtures/`` folder: ``{"schema", "kind", "findings": [{"code", "path"}]}`` (empty
findings for a valid payload; one finding for a broken one, plus a ``mutation`` note saying what
was broken). A seed decides everything: the same seed, schema and options write the same bytes
in any process, on any machine.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from glance_validate import mutations, synthesis
from glance_validate.sources import SchemaSpec

PayloadKind = Literal["image-list", "image"]
KINDS: tuple[PayloadKind, ...] = ("image-list", "image")


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


def fuzz(options: FuzzOptions) -> FuzzReport:
    """Write ``options.count`` payloads; raises SchemaUnavailable, SynthesisError or OSError."""
    seed = options.seed if options.seed is not None else secrets.randbits(32)
    model = synthesis.model_for(options.schema)
    choices = synthesis.RandomChoices(seed)
    label = options.schema if isinstance(options.schema, str) else str(options.schema)
    options.out.mkdir(parents=True, exist_ok=True)
    written = []
    for number in range(1, options.count + 1):
        payload, expected = _one(choices, model, options)
        stem = f"{'invalid-' if options.invalid else ''}{options.kind}-{number:04d}"
        expected = {"schema": label, "kind": options.kind, **expected}
        path = options.out / f"{stem}.json"
        _write(path, payload)
        _write(options.out / f"{stem}.expected.json", expected)
        written.append(path)
    return FuzzReport(seed=seed, schema_name=model.dialect.name, payloads=tuple(written))


def _one(
    choices: synthesis.RandomChoices, model: synthesis.Model, options: FuzzOptions
) -> tuple[Any, dict[str, Any]]:
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
