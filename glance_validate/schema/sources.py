"""Sources: where schema documents come from (builtin package data, files, stdin, parsed values, URLs).

Files and standard input are read with the bounds of payloads: at most ``SCHEMA_MAX_BYTES``
(more is refused, never read whole) and, from a pipe, FIFO or device, at most the pipe timeout
of waiting for each chunk. An ``http(s)://`` URL is handed to ``glance_validate.schema.remote``
(fetch with a cache), imported only then, so local runs never load the HTTP stack.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from glance_validate.core.errors import SchemaUnavailable
from glance_validate.inputs.reading import (
    DEFAULT_PIPE_TIMEOUT,
    InputStalled,
    Limits,
    TooLarge,
    open_input,
    open_stdin,
    read_bounded,
    size_text,
)
from glance_validate.net.urls import is_url
from glance_validate.schema.documents import SchemaDocument, SchemaSpec, as_object, builtin, parse_document

if TYPE_CHECKING:
    from glance_validate.schema.remote import SchemaOptions

BUILTIN_SCHEMAS: dict[str, str] = {
    "ims": "Huawei Cloud IMS GET /v2/schemas/images, exactly as documented (the default)",
    "glance": "upstream Glance 33.0.0 (2026.1) GET /v2/schemas/images as served",
}
DEFAULT_SCHEMA = "ims"
SCHEMA_MAX_BYTES = 4 * 1024 * 1024  # an images schema is a few KiB: far more is not a schema


def builtin_names() -> list[str]:
    return list(BUILTIN_SCHEMAS)


def is_builtin(name: str) -> bool:
    """True for a builtin schema name, including ``glance-<release>`` (see ``releases``)."""
    if name in BUILTIN_SCHEMAS:
        return True
    from glance_validate.schema.releases import is_release_name

    return is_release_name(name)


def load_schema(
    spec: SchemaSpec = DEFAULT_SCHEMA,
    *,
    stdin: BinaryIO | None = None,
    remote: SchemaOptions | None = None,
    pipe_timeout: float = DEFAULT_PIPE_TIMEOUT,
) -> SchemaDocument:
    """Find a schema document by builtin name, path, '-' (stdin), URL or an already-parsed mapping.

    ``remote`` says how to fetch a URL (token, TLS, cache, offline); with ``remote.os_cloud``
    the schema comes from that cloud's image endpoint unless ``spec`` is a URL. ``pipe_timeout``
    bounds each wait for data from standard input, a FIFO or a device (seconds).
    """
    if is_url(spec) or (remote is not None and remote.os_cloud):
        from glance_validate.schema.remote import load_remote

        return load_remote(spec, remote)
    if isinstance(spec, Mapping):
        return SchemaDocument("<dict>", as_object(copy.deepcopy(dict(spec)), "<dict>"))
    if isinstance(spec, str) and spec in BUILTIN_SCHEMAS:
        return builtin(spec)
    if isinstance(spec, str) and spec.lower().startswith("glance-") and not Path(spec).exists():
        from glance_validate.schema.releases import release_document

        return release_document(spec)
    if spec == "-":
        return SchemaDocument(
            "<stdin>", parse_document(schema_bytes("-", stdin=stdin, pipe_timeout=pipe_timeout), "<stdin>")
        )
    return _from_file(Path(spec), pipe_timeout)


def schema_bytes(
    spec: str, *, stdin: BinaryIO | None = None, pipe_timeout: float = DEFAULT_PIPE_TIMEOUT
) -> bytes:
    """The bytes of a schema file, or of standard input for '-', read within bounds.

    Raises SchemaUnavailable when there are more than ``SCHEMA_MAX_BYTES`` (reading stops at the
    first chunk past the limit; a regular file is refused by its size) or when a pipe, FIFO or
    device sends nothing for ``pipe_timeout`` seconds. Other OSErrors are the caller's to word.
    """
    label = "<stdin>" if spec == "-" else spec
    try:
        if spec == "-":
            return read_bounded(open_stdin(stdin, pipe_timeout), SCHEMA_MAX_BYTES, "the schema")
        with open_input(spec, Limits(SCHEMA_MAX_BYTES, pipe_timeout)) as handle:
            return read_bounded(handle, SCHEMA_MAX_BYTES, "the schema")
    except TooLarge:
        raise SchemaUnavailable(
            f"schema {label!r}: larger than the limit of {size_text(SCHEMA_MAX_BYTES)}; "
            "an images schema is a few KiB"
        ) from None
    except InputStalled:
        raise SchemaUnavailable(
            f"schema {label!r}: nothing arrived for {pipe_timeout:g} s "
            "(a pipe, FIFO or device that nobody writes to)"
        ) from None


def _from_file(path: Path, pipe_timeout: float) -> SchemaDocument:
    label = str(path)
    try:
        data = schema_bytes(label, pipe_timeout=pipe_timeout)
    except FileNotFoundError:
        known = ", ".join(BUILTIN_SCHEMAS)
        raise SchemaUnavailable(
            f"schema {label!r}: no such file, and not a builtin schema ({known}) "
            "or a Glance release's schema (glance-<release> such as glance-2024.1 or glance-caracal; "
            "an unknown glance-<name> lists the releases)"
        ) from None
    except IsADirectoryError:
        raise SchemaUnavailable(f"schema {label!r}: is a directory, not a JSON file") from None
    except OSError as exc:
        raise SchemaUnavailable(f"schema {label!r}: cannot be read ({exc.strerror})") from None
    return SchemaDocument(label, parse_document(data, label))
