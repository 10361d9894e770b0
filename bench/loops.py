"""Bare validation loops the benchmark compares glance-validate with (run in the project environment).

    python loops.py rs|jsonschema|invalid SCHEMA PATH...
    python loops.py rs|jsonschema|invalid --jsonl IMAGE_SCHEMA FILE

``rs`` is the floor: read each file, ``orjson.loads``, jsonschema-rs Draft 4 ``is_valid``, and
the errors of the invalid ones printed as ``path: /pointer: message``. ``jsonschema`` is the
same loop with ``json.loads`` and python-jsonschema's Draft4Validator, as a user would write it.
With ``--jsonl`` each line is one image checked against the image schema. ``invalid`` prints,
as JSON, which images jsonschema-rs rejects: ``{path: [image index, ...]}`` for list files and
``{path: [line number, ...]}`` for JSON Lines; the benchmark checks glance-validate's findings
against it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from typing import Any

Check = Callable[[Any], list[tuple[str, str]]]  # instance -> [(pointer, message)]


def _rs_check(schema: Any) -> tuple[Callable[[bytes], Any], Check]:
    import jsonschema_rs
    import orjson

    validator = jsonschema_rs.Draft4Validator(schema)

    def check(instance: Any) -> list[tuple[str, str]]:
        if validator.is_valid(instance):
            return []
        return [(_pointer(e.instance_path), e.message) for e in validator.iter_errors(instance)]

    return orjson.loads, check


def _jsonschema_check(schema: Any) -> tuple[Callable[[bytes], Any], Check]:
    import jsonschema

    validator = jsonschema.Draft4Validator(schema)

    def check(instance: Any) -> list[tuple[str, str]]:
        return [(_pointer(e.absolute_path), e.message) for e in validator.iter_errors(instance)]

    return json.loads, check


def _pointer(path: Any) -> str:
    return "".join(f"/{step}" for step in path)


def _instances(
    paths: list[str], jsonl: bool, loads: Callable[[bytes], Any]
) -> Iterator[tuple[str, int, Any]]:
    """(path, position, instance): position is the 1-based line for JSON Lines, else 0."""
    for path in paths:
        with open(path, "rb") as stream:  # noqa: PTH123 - the bare loop imports no pathlib
            if not jsonl:
                yield path, 0, loads(stream.read())
                continue
            for number, line in enumerate(stream, 1):
                if line.strip():
                    yield path, number, loads(line)


def main(argv: list[str]) -> int:
    mode, rest = argv[0], argv[1:]
    jsonl = rest[:1] == ["--jsonl"]
    if jsonl:
        rest = rest[1:]
    with open(rest[0], "rb") as stream:  # noqa: PTH123
        schema = json.load(stream)
    paths = rest[1:]
    loads, check = _jsonschema_check(schema) if mode == "jsonschema" else _rs_check(schema)
    invalid: dict[str, list[int]] = {}
    out = sys.stdout
    failed = False
    for path, line, instance in _instances(paths, jsonl, loads):
        errors = check(instance)
        if not errors:
            continue
        failed = True
        if mode == "invalid":
            where = {line} if jsonl else {int(p.split("/")[2]) for p, _ in errors if p.startswith("/images/")}
            invalid.setdefault(path, []).extend(sorted(where))
        else:
            for pointer, message in errors:
                out.write(f"{path}:{line}: {pointer}: {message}\n")
    if mode == "invalid":
        json.dump(invalid, out)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
