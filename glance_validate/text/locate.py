"""Positions of JSON Pointers: :func:`locate` maps pointers to the line and column of their values.

Findings name the value they are about with a pointer; this module finds
where each one starts in the text, in one pass that stops as soon as every
requested pointer is reached and skips the values no pointer goes into.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Final

from glance_validate.text.decode import BOM_UTF8
from glance_validate.text.lines import Lines
from glance_validate.text.tokens import WS, ParseFailure, read_key

__all__ = ["locate"]

# Lenient patterns: locate() only needs to find where tokens end.
_STR_ANY: Final = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_SCALAR_ANY: Final = re.compile(r"[-+.0-9A-Za-z_]+")
_SKIP_TOKEN: Final = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}"]', re.DOTALL)
_RAW_DECODE: Final = json.JSONDecoder().raw_decode
_QUICK_SKIP_WINDOWS: Final = (4096, 65536)  # characters given to _RAW_DECODE, in turn


class _Node:
    """A trie node of requested pointer tokens."""

    __slots__ = ("children", "offset", "parent", "wanted")

    def __init__(self, parent: _Node | None = None) -> None:
        self.children: dict[str, _Node] = {}
        self.offset = -1
        self.parent = parent
        self.wanted = False


def _split_pointer(pointer: str) -> list[str] | None:
    """RFC 6901 tokens of ``pointer``, or None when it is malformed."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        return None
    tokens = pointer[1:].split("/")
    if "~" not in pointer:
        return tokens
    for k, token in enumerate(tokens):
        if "~" in token:
            if re.search(r"~(?![01])", token):
                return None
            tokens[k] = token.replace("~1", "/").replace("~0", "~")
    return tokens


def _skip_value(s: str, i: int) -> int:
    """Index after the value starting at ``i``, or -1 if malformed."""
    c = s[i]
    if c == '"':
        m = _STR_ANY.match(s, i)
        return -1 if m is None else m.end()
    if c == "{" or c == "[":
        # Most skipped containers (an image record) are small and well-formed: the C scanner
        # of the json module finds their end several times faster than a Python step per
        # token. It reads a bounded window, so a huge container never becomes objects here;
        # whatever it rejects (longer than the window, or malformed) takes the token walk.
        for window in _QUICK_SKIP_WINDOWS:
            try:
                return i + int(_RAW_DECODE(s[i : i + window])[1])
            except (ValueError, RecursionError):
                if i + window >= len(s):
                    break
        return _skip_container(s, i)
    m = _SCALAR_ANY.match(s, i)
    return -1 if m is None else m.end()


def _skip_container(s: str, i: int) -> int:
    """Index after the container starting at ``i``, by its brackets alone, or -1 if malformed."""
    level = 0
    for m in _SKIP_TOKEN.finditer(s, i):
        t = m.group()
        if t == "{" or t == "[":
            level += 1
        elif t == "}" or t == "]":
            level -= 1
            if level == 0:
                return m.end()
        elif t == '"':
            return -1
    return -1


def _walk(s: str, root: _Node, wanted: int) -> None:
    """Record the offset of every trie node reached; stop when all wanted are."""
    n = len(s)
    ws_match = WS.match
    # (node of the container, is a dict, next array index)
    stack: list[tuple[_Node, bool, int]] = []
    node: _Node | None = root
    i = ws_match(s, 0).end()  # type: ignore[union-attr]
    while True:
        # ---- value at i belonging to trie node `node` (None: not wanted) ----
        if i >= n:
            return
        c = s[i]
        if c in ",:]}":
            return
        if node is not None and node.offset < 0:
            node.offset = i
            if node.wanted:
                wanted -= 1
                if wanted == 0:
                    return
        if node is not None and node.children and (c == "{" or c == "["):
            i = ws_match(s, i + 1).end()  # type: ignore[union-attr]
            if i >= n:
                return
            if c == "{":
                stack.append((node, True, 0))
                if s[i] != "}":
                    if s[i] != '"':
                        return
                    try:
                        key, i = read_key(s, i, "")
                    except ParseFailure:
                        return
                    node = stack[-1][0].children.get(key)
                    continue
            else:
                stack.append((node, False, 0))
                if s[i] != "]":
                    node = node.children.get("0")
                    continue
            closing = True
        else:
            i = _skip_value(s, i)
            if i < 0:
                return
            closing = False
        # ---- after a value: ',' or the end of the container ----
        while True:
            if not stack:
                return
            parent, is_dict, index = stack[-1]
            if not closing:
                i = ws_match(s, i).end()  # type: ignore[union-attr]
            closing = False
            if i >= n:
                return
            c = s[i]
            if c == ",":
                i = ws_match(s, i + 1).end()  # type: ignore[union-attr]
                if is_dict:
                    if i >= n or s[i] != '"':
                        return
                    try:
                        key, i = read_key(s, i, "")
                    except ParseFailure:
                        return
                    node = parent.children.get(key)
                else:
                    stack[-1] = (parent, False, index + 1)
                    node = parent.children.get(str(index + 1))
                break
            if c == ("}" if is_dict else "]"):
                stack.pop()
                i += 1
                continue
            return


def locate(data: bytes, pointers: Iterable[str]) -> dict[str, tuple[int, int]]:
    """Map JSON Pointers to (line, column) of their values in ``data``.

    A pointer whose value does not exist (for example a missing member) maps
    to the position of its nearest existing ancestor.  Malformed pointers are
    left out.  Malformed text is read up to the first problem and positions
    are given for what was reached; nothing raises.
    """
    root = _Node()
    requested: dict[str, _Node] = {}  # each pointer's node in the trie
    wanted = 0
    for pointer in pointers:
        tokens = _split_pointer(pointer)
        if tokens is None:
            continue
        node = root
        for token in tokens:
            child = node.children.get(token)
            if child is None:
                child = node.children[token] = _Node(node)
            node = child
        requested[pointer] = node
        if not node.wanted:
            node.wanted = True
            wanted += 1
    if not requested:
        return {}

    body = data[3:] if data.startswith(BOM_UTF8) else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as err:
        text = body[: err.start].decode("utf-8")
    except (AttributeError, TypeError):
        return {}
    _walk(text, root, wanted)

    lines = Lines(text)
    result: dict[str, tuple[int, int]] = {}
    for pointer, node in requested.items():
        # a node is reached only after its parent is: the nearest reached ancestor stands in
        found: _Node | None = node
        while found is not None and found.offset < 0:
            found = found.parent
        if found is not None:
            result[pointer] = lines.position(found.offset)
    return result
