"""Schema guard: refuse a schema that could hang a run or reach outside itself, before any check.

A schema is data: ``--schema URL`` and ``--endpoint`` take it from a server, and a user's file
can hold anything. Every engine is built through ``engine.build_engine``, which calls ``check``
first; it raises ``UnsafeSchema`` (the run ends with exit code 3 and one line naming the place)
for:

- a pattern that RE2 cannot run (a backreference, lookaround, ``\\b``) and that could backtrack
  exponentially on Python's ``re`` (``(a+)+\\1``); see ``linear_regex``. Patterns RE2 runs are
  linear whatever they are, so ``(a+)+$`` is accepted and checked in linear time;
- a ``$ref`` to anything but the schema documents themselves (``http:``, ``https:``, ``file:``,
  ``urn:``, a relative reference under an ``id`` naming a server): nothing is ever retrieved,
  so a fetched schema cannot make the tool send a request anywhere (no SSRF);
- a ``$ref`` cycle that never reaches a keyword taking the value apart (``{"$ref": "#"}``,
  ``a -> b -> a``, ``allOf: [{"$ref": "#"}]``): python-jsonschema would recurse until it fails,
  jsonschema-rs would treat it as passing; neither checks anything.

Size is not refused here: 100,000 properties or a 10 MB enum are checked (slowly: seconds to
compile); a fetched schema is bounded by the fetch size limit.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

from glance_validate.core.errors import GlanceValidateError
from glance_validate.core.findings import join_pointer
from glance_validate.core.secrets import clip

# Draft 4 keywords whose value is a schema, a list of schemas, or a map of names to schemas.
_SCHEMA = ("additionalItems", "additionalProperties", "items", "not")
_SCHEMA_LIST = ("allOf", "anyOf", "oneOf", "items")
_SCHEMA_MAP = ("properties", "patternProperties", "definitions", "dependencies")
# Keywords that apply their subschemas to the same value (a cycle through them never ends).
_SAME_VALUE_LIST = ("allOf", "anyOf", "oneOf")


# The metaschemas both engines carry with them: a $ref to one reads no file and sends no request.
METASCHEMAS = frozenset(
    {f"http://json-schema.org/draft-0{n}/schema" for n in (3, 4, 6, 7)}
    | {f"https://json-schema.org/draft/{v}/schema" for v in ("2019-09", "2020-12")}
)


class UnsafeSchema(GlanceValidateError, ValueError):
    """The schema would hang a run or make it reach outside the schema documents."""


@dataclass(frozen=True)
class _Node:
    document: str  # URI of the document holding it
    pointer: str  # JSON Pointer within that document
    schema: dict[str, Any]
    base: str  # base URI for its $ref (after any id on the way)


def check(schema: dict[str, Any], resources: Mapping[str, dict[str, Any]] | None = None) -> None:
    """Raise UnsafeSchema when ``schema`` (with the documents it may reference) is unsafe to run."""
    documents = dict(resources or {})
    root = next((uri for uri, doc in documents.items() if doc is schema), None)
    if root is None:
        root = ""
        documents = {"": schema, **documents}
    nodes: dict[tuple[str, str], _Node] = {}
    embedded: dict[str, tuple[str, str]] = {}  # an id inside a document -> where it is
    for uri, document in documents.items():
        for node in _walk(uri, document):
            nodes[(node.document, node.pointer)] = node
            if isinstance(node.schema.get("id"), str):  # the node is also known by its id
                embedded.setdefault(node.base, (uri, node.pointer))
            _check_patterns(node)
    known = set(documents) | {urldefrag(i)[0] for i in embedded} | METASCHEMAS
    for node in nodes.values():
        _check_reference(node, known)
    _check_cycles(nodes, documents, embedded)


def _walk(uri: str, document: dict[str, Any]) -> Iterator[_Node]:
    """Every schema object of a document, with its pointer and base URI, without recursion."""
    base = urljoin(uri, document["id"]) if isinstance(document.get("id"), str) else uri
    stack = [_Node(uri, "", document, base)]
    while stack:
        node = stack.pop()
        yield node
        for child, where in _children(node.schema, node.pointer):
            identifier = child.get("id")
            base = urljoin(node.base, identifier) if isinstance(identifier, str) else node.base
            stack.append(_Node(uri, where, child, base))


def _children(schema: dict[str, Any], where: str) -> Iterator[tuple[dict[str, Any], str]]:
    for keyword in _SCHEMA:
        child = schema.get(keyword)
        if isinstance(child, dict):
            yield child, join_pointer(where, keyword)
    for keyword in _SCHEMA_LIST:
        children = schema.get(keyword)
        if isinstance(children, list):
            for i, child in enumerate(children):
                if isinstance(child, dict):
                    yield child, join_pointer(where, keyword, i)
    for keyword in _SCHEMA_MAP:
        mapping = schema.get(keyword)
        if isinstance(mapping, dict):
            for name, child in mapping.items():
                if isinstance(child, dict):
                    yield child, join_pointer(where, keyword, name)


# Patterns ------------------------------------------------------------------------------------------


def _check_patterns(node: _Node) -> None:
    pattern = node.schema.get("pattern")
    if isinstance(pattern, str):
        _check_pattern(pattern, join_pointer(node.pointer, "pattern"), node.document)
    names = node.schema.get("patternProperties")
    if isinstance(names, dict):
        for name in names:
            if isinstance(name, str):
                _check_pattern(name, join_pointer(node.pointer, "patternProperties", name), node.document)


def _check_pattern(pattern: str, where: str, document: str) -> None:
    import re

    from glance_validate.regex import ecma as ecma_regex
    from glance_validate.regex import linear as linear_regex

    try:
        translated = ecma_regex.compile_ecma(pattern).pattern
    except (re.error, RecursionError, OverflowError):
        return  # not Python syntax: run by jsonschema-rs's engine (linear, bounded backtracking)
    reason = linear_regex.hazard(translated)
    if reason is None or linear_regex.compile_linear(translated) is not None:
        return  # harmless on any engine, or RE2 runs it (RE2 is imported only for such patterns)
    remedy = (
        "RE2 cannot run it (a backreference, lookaround, \\b or an inline flag)"
        if linear_regex.available()
        else "install google-re2 to run such patterns in linear time"
    )
    raise UnsafeSchema(
        f"pattern {_short(pattern)} at {_at(document, where)} could take exponential time on a "
        f"backtracking regular expression engine ({reason}), and {remedy}; the schema is refused"
    )


# References ----------------------------------------------------------------------------------------


def _check_reference(node: _Node, known: set[str]) -> None:
    reference = node.schema.get("$ref")
    if not isinstance(reference, str):
        return
    target = urldefrag(urljoin(node.base, reference))[0]
    if target in known:
        return
    raise UnsafeSchema(
        f"$ref {_short(reference)} at {_at(node.document, join_pointer(node.pointer, '$ref'))} "
        f"points outside the schema documents ({_short(target)}); references are never retrieved, "
        "so the schema is refused"
    )


def _target(
    node: _Node,
    documents: Mapping[str, dict[str, Any]],
    embedded: Mapping[str, tuple[str, str]],
) -> tuple[str, str] | None:
    """The (document, pointer) a node's $ref names, when it is a JSON Pointer into a document."""
    reference = node.schema.get("$ref")
    if not isinstance(reference, str):
        return None
    uri, fragment = urldefrag(urljoin(node.base, reference))
    fragment = unquote(fragment)
    if fragment and not fragment.startswith("/"):
        return embedded.get(f"{uri}#{fragment}")
    if uri in embedded:
        document, start = embedded[uri]
        return document, start + fragment
    if uri in documents:
        return uri, fragment
    return None


def _same_value_edges(
    node: _Node,
    nodes: Mapping[tuple[str, str], _Node],
    documents: Mapping[str, dict[str, Any]],
    embedded: Mapping[str, tuple[str, str]],
) -> Iterator[tuple[str, str]]:
    """The schemas evaluated against the same value as ``node``."""
    target = _target(node, documents, embedded)
    if target is not None:
        yield target
        return  # in Draft 4, $ref replaces the keywords beside it
    for keyword in _SAME_VALUE_LIST:
        children = node.schema.get(keyword)
        if isinstance(children, list):
            for i in range(len(children)):
                yield node.document, join_pointer(node.pointer, keyword, i)
    if isinstance(node.schema.get("not"), dict):
        yield node.document, join_pointer(node.pointer, "not")
    dependencies = node.schema.get("dependencies")
    if isinstance(dependencies, dict):
        for name, value in dependencies.items():
            if isinstance(value, dict):
                yield node.document, join_pointer(node.pointer, "dependencies", name)


def _check_cycles(
    nodes: Mapping[tuple[str, str], _Node],
    documents: Mapping[str, dict[str, Any]],
    embedded: Mapping[str, tuple[str, str]],
) -> None:
    """Depth-first search over same-value edges, without recursion; a back edge is a cycle."""
    state: dict[tuple[str, str], int] = {}  # 1: on the current path, 2: done
    for start in nodes:
        if start in state:
            continue
        path = [start]
        stack = [iter(_same_value_edges(nodes[start], nodes, documents, embedded))]
        state[start] = 1
        while stack:
            following = next(stack[-1], None)
            if following is None:
                state[path.pop()] = 2
                stack.pop()
                continue
            if following not in nodes:
                continue  # not a schema location: the engines report a dangling pointer
            if state.get(following) == 1:
                loop = [*path[path.index(following) :], following]
                raise UnsafeSchema(
                    "$ref cycle "
                    + " -> ".join(_at(document, pointer) for document, pointer in loop)
                    + " applies the same schema to the same value without end; the schema is refused"
                )
            if following not in state:
                state[following] = 1
                path.append(following)
                stack.append(iter(_same_value_edges(nodes[following], nodes, documents, embedded)))


def _at(document: str, pointer: str) -> str:
    """A place as a URI reference: ``/v2/schemas/images#/definitions/a`` (``#`` alone: the root)."""
    return f"{document}#{pointer}"


def _short(text: str, limit: int = 80) -> str:
    return repr(clip(text, limit))
