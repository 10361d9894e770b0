"""The hostile-input corpus: cases and their expected outcomes from ``manifest.json``.

Nothing hostile is kept in the repository: every file is made at test time in a temporary
directory from the recipe (``make``) of its case, so a 200 MB file, a FIFO, a symbolic link
loop, an unreadable file or a file name that is not UTF-8 costs nothing to check out.

A case says how to make one input (sometimes a few), what the run exits with when it is the
only input, which payloads it yields (in order) with exactly which finding codes, and a pattern
that one finding's message matches. ``build`` makes every case under one directory;
``Built.prepare`` starts what must run beside the check (writers of FIFOs).
"""

from __future__ import annotations

import base64
import ctypes
import gzip
import json
import os
import random
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MANIFEST = Path(__file__).with_name("manifest.json")
CHUNK = 1 << 20


@dataclass(frozen=True)
class Expected:
    """One payload a case yields: where it is reported from, and exactly which codes it has."""

    source: str  # the case's path as reports show it, plus this suffix
    line: int | None
    codes: tuple[str, ...]
    message: str | None  # a regular expression one finding's message must match


@dataclass
class Built:
    """A case made on disk: the arguments to name it with, and what to expect."""

    id: str
    about: str
    args: list[str]  # paths as given on the command line
    shown: str  # the first path as reports print it
    exit: int
    payloads: list[Expected]
    stderr: str | None = None
    needs_permissions: bool = False  # only meaningful when file permissions apply (see below)
    writers: list[tuple[str, bytes]] = field(default_factory=list)  # FIFOs fed while a run reads

    def prepare(self) -> Callable[[], None]:
        """Start a writer for each FIFO of the case; the returned function waits for them."""
        threads = [threading.Thread(target=_feed, args=w, daemon=True) for w in self.writers]
        for thread in threads:
            thread.start()

        def wait() -> None:
            for thread in threads:
                thread.join(10)

        return wait


def load() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(MANIFEST.read_text("utf-8"))
    return data


def case_ids() -> list[str]:
    return [case["id"] for case in load()["cases"]]


def build(root: Path) -> list[Built]:
    """Make every case of the manifest under ``root`` (one directory per case)."""
    manifest = load()
    values = _values(manifest["values"])
    return [_build_case(root / case["id"], case, values) for case in manifest["cases"]]


def printable(text: str) -> str:
    from glance_validate.report.lines import printable as shown

    return shown(text)


# Values the recipes refer to ($image, $page, ...) ----------------------------------------------


def _values(raw: dict[str, Any]) -> dict[str, str]:
    image = raw["image"]
    fields = json.dumps(image)[1:-1]
    page = {"images": [image], "schema": "/v2/schemas/images", "first": "/v2/images"}
    return {
        "$image_fields": fields,
        "$image": json.dumps(image),
        "$page": json.dumps(page),
        "$empty_page": '{"images": [], "first": "/v2/images", "schema": "/v2/schemas/images"}',
        "$envelope": '"first": "/v2/images", "schema": "/v2/schemas/images"',
    }


def _text(template: str, values: dict[str, str]) -> str:
    for name in sorted(values, key=len, reverse=True):  # $image_fields before $image
        template = template.replace(name, values[name])
    return template


# Building a case -----------------------------------------------------------------------------


def _build_case(directory: Path, case: dict[str, Any], values: dict[str, str]) -> Built:
    directory.mkdir(parents=True)
    name = (
        os.fsdecode(bytes.fromhex(case["name_hex"])) if "name_hex" in case else case.get("name", "input.json")
    )
    make = case["make"]
    writers: list[tuple[str, bytes]] = []
    if "truncations" in make:
        args = _truncations(directory, name, make["truncations"], values)
        each = case["expect_each"]
        payloads = [Expected(printable(arg), None, tuple(each["codes"]), each.get("message")) for arg in args]
    else:
        path = directory / name
        _make(path, make, values, writers)
        args = [str(path)]
        payloads = [
            Expected(
                printable(str(path)) + e.get("source", ""),
                e.get("line"),
                tuple(e["codes"]),
                e.get("message"),
            )
            for e in case["expect"]
        ]
    return Built(
        id=case["id"],
        about=case["about"],
        args=args,
        shown=printable(args[0]),
        exit=case["exit"],
        payloads=payloads,
        stderr=case.get("stderr"),
        needs_permissions=case.get("needs_permissions", False),
        writers=writers,
    )


def _truncations(directory: Path, name: str, spec: dict[str, Any], values: dict[str, str]) -> list[str]:
    whole = _text(spec["text"], values).encode("utf-8")
    paths = []
    for at in spec["at"]:
        cut = at if at >= 0 else len(whole) + at
        path = directory / f"{Path(name).stem}-{cut:05d}{Path(name).suffix}"
        path.write_bytes(whole[:cut])
        paths.append(str(path))
    return paths


def _make(path: Path, make: dict[str, Any], values: dict[str, str], writers: list[tuple[str, bytes]]) -> None:
    kind, spec = next(iter(make.items()))
    if kind == "nothing":  # a path that does not exist
        return
    if kind == "directory":
        path.mkdir()
        for child, child_make in spec.items():
            target = path / child
            target.parent.mkdir(parents=True, exist_ok=True)
            _make(target, child_make, values, writers)
    elif kind == "fifo":
        os.mkfifo(path)
        if spec.get("writer") is not None:
            writers.append((str(path), _text(spec["writer"], values).encode("utf-8")))
    elif kind == "symlink":
        path.symlink_to(spec)
    elif kind in ("unreadable", "unlistable"):  # a file or a directory with mode 000
        _make(path, spec, values, writers)
        path.chmod(0)
    elif kind == "big_line":
        _big_line(path, spec, values)
    else:
        path.write_bytes(_content(kind, spec, values))


def _content(kind: str, spec: Any, values: dict[str, str]) -> bytes:
    if kind == "text":
        return _text(spec, values).encode("utf-8")
    if kind == "hex":
        return bytes.fromhex(spec)
    if kind == "parts":  # text and byte parts, some repeated: [["[", 100000], {"hex": "ff"}, ...]
        return b"".join(_part(p, values) for p in spec)
    if kind == "random":
        return random.Random(spec["seed"]).randbytes(spec["size"])
    if kind == "gzip":
        return gzip.compress(_text(spec, values).encode("utf-8"), mtime=0)
    if kind == "lines":
        return b"".join(_part(p, values) + b"\n" for p in spec)
    if kind == "har":
        return _har(spec, values)
    if kind == "http":
        return _http(spec, values)
    raise ValueError(f"unknown recipe {kind!r}")


def _part(part: Any, values: dict[str, str]) -> bytes:
    if isinstance(part, str):
        return _text(part, values).encode("utf-8")
    if isinstance(part, list):
        return _part(part[0], values) * int(part[1])
    if isinstance(part, dict) and "hex" in part:
        return bytes.fromhex(part["hex"])
    if isinstance(part, dict) and "parts" in part:
        return b"".join(_part(p, values) for p in part["parts"])
    raise ValueError(f"unknown part {part!r}")


def _big_line(path: Path, spec: dict[str, Any], values: dict[str, str]) -> None:
    """A file holding one line of ``size`` bytes (between ``before`` and ``after`` lines), in chunks."""
    fill = spec["fill"].encode("utf-8") * CHUNK
    with path.open("wb") as out:
        for line in spec.get("before", []):
            out.write(_text(line, values).encode("utf-8") + b"\n")
        out.write(spec["prefix"].encode("utf-8"))
        remaining = spec["size"]
        while remaining > 0:
            out.write(fill[: min(remaining, len(fill))])
            remaining -= len(fill)
        out.write(spec["suffix"].encode("utf-8"))
        for line in spec.get("after", []):
            out.write(b"\n" + _text(line, values).encode("utf-8"))


# HAR and HTTP captures ---------------------------------------------------------------------------


def _har(spec: dict[str, Any], values: dict[str, str]) -> bytes:
    if "log" in spec:  # a document that is not shaped like a HAR at all
        return json.dumps({"log": spec["log"]}).encode("utf-8")
    entries = [_entry(e, values) for e in spec["entries"]]
    text = json.dumps({"log": {"version": "1.2", "creator": {"name": "corpus"}, "entries": entries}})
    data = text.encode("utf-8")
    if "truncate_at" in spec:
        data = data[: spec["truncate_at"]]
    return data


def _entry(spec: dict[str, Any], values: dict[str, str]) -> Any:
    if "raw" in spec:
        return spec["raw"]
    headers = [{"name": k, "value": _text(v, values)} for k, v in spec.get("request_headers", {}).items()]
    request = {"method": spec.get("method", "GET"), "url": spec["url"], "headers": headers}
    if "cookies" in spec:
        request["cookies"] = [{"name": k, "value": v} for k, v in spec["cookies"].items()]
    response: dict[str, Any] = {"status": spec.get("status", 200), "headers": []}
    body = _text(spec.get("body", ""), values).encode("utf-8")
    content: dict[str, Any] = {"mimeType": "application/json", "size": len(body)}
    encode = spec.get("encode", "text")
    if encode == "text":
        content["text"] = body.decode("utf-8")
    elif encode == "base64":
        content["text"], content["encoding"] = base64.b64encode(body).decode(), "base64"
    elif encode in ("gzip+base64", "deflate+base64", "bomb"):
        if encode == "bomb":  # a small body that inflates past the size limit
            raw = gzip.compress(b" " * spec["inflates_to"] + b"{}", compresslevel=9, mtime=0)
            coding = "gzip"
        elif encode == "gzip+base64":
            raw, coding = gzip.compress(body, mtime=0), "gzip"
        else:
            raw, coding = zlib.compress(body), "deflate"
        response["headers"].append({"name": "Content-Encoding", "value": coding})
        content["text"], content["encoding"] = base64.b64encode(raw).decode(), "base64"
    elif encode == "invalid-base64":
        content["text"], content["encoding"] = "not base64 at all!", "base64"
    elif encode == "not-recorded":
        content["size"] = 4096
    else:
        content["text"], content["encoding"] = body.decode("utf-8"), encode
    response["content"] = content
    entry: dict[str, Any] = {"request": request}
    if not spec.get("no_response"):
        entry["response"] = response
    return entry


def _http(spec: dict[str, Any], values: dict[str, str]) -> bytes:
    head = b"HTTP/1.1 100 Continue\r\n\r\n" * spec.get("interim", 0)
    body = _text(spec.get("body", ""), values).encode("utf-8")
    headers = "Content-Type: application/json\r\n"
    if spec.get("bomb"):
        body = gzip.compress(b" " * spec["bomb"] + b"{}", compresslevel=9, mtime=0)
        headers += "Content-Encoding: gzip\r\n"
    blank = "" if spec.get("no_blank_line") else "\r\n"
    return head + f"HTTP/1.1 {spec.get('status', 200)} OK\r\n{headers}{blank}".encode() + body


# FIFOs and permissions -----------------------------------------------------------------------------


def _feed(path: str, data: bytes, deadline: float = 20.0) -> None:
    """Write ``data`` into a FIFO once a reader has opened it (never blocking on the open)."""
    stop = time.monotonic() + deadline
    while True:
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError:  # ENXIO: no reader yet
            if time.monotonic() > stop:
                return
            time.sleep(0.01)
    try:
        os.set_blocking(descriptor, True)
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
    except OSError:
        pass
    finally:
        os.close(descriptor)


def permissions_apply() -> bool:
    """Whether a file with mode 000 is unreadable to this process (not so for root)."""
    return os.geteuid() != 0


def drop_file_capabilities() -> None:
    """In a child about to exec, as root: give up the capabilities that bypass file permissions.

    CAP_DAC_OVERRIDE (1) and CAP_DAC_READ_SEARCH (2) are dropped from the bounding set, so the
    program that runs next is root without them, and a mode-000 file is unreadable to it.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def can_drop_capabilities() -> bool:
    """Whether ``drop_file_capabilities`` works here (root with CAP_SETPCAP, on Linux)."""
    import subprocess
    import sys

    try:
        result = subprocess.run(
            [sys.executable, "-c", "pass"], preexec_fn=drop_file_capabilities, check=False, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return result.returncode == 0


def walk_payloads(report: dict[str, Any], built: Built) -> Iterator[dict[str, Any]]:
    """The payloads of ``report`` that came from ``built``'s paths, in report order."""
    prefixes = [printable(arg) for arg in built.args]
    for payload in report["payloads"]:
        source = payload["input"]
        if any(source == p or source.startswith(p + "/") for p in prefixes):
            yield payload


# Measuring a child's memory ------------------------------------------------------------------------

_MEASURE = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.executable, [sys.executable, *sys.argv[1:]])
_pid, status, usage = os.wait4(pid, 0)
sys.stderr.write("\\n@peak-rss %d %d\\n" % (os.waitstatus_to_exitcode(status), usage.ru_maxrss))
"""


def run_measured(
    args: list[str], *, preexec_fn: Callable[[], None] | None = None, **popen: Any
) -> tuple[int, int, bytes, bytes]:
    """Run ``python args...``; return (exit code, peak RSS in KiB, stdout, stderr).

    Linux counts the memory of the process that forked a child in the child's peak RSS (the
    high-water mark survives exec), so a big test process would inflate it: the child is forked
    from a small Python that only waits for it, then adds its ``wait4`` figures to stderr.
    """
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, *args],
        capture_output=True,
        check=False,
        timeout=900,
        preexec_fn=preexec_fn,
        **popen,
    )
    err, _, tail = result.stderr.rpartition(b"\n@peak-rss ")
    code, peak = (int(x) for x in tail.split())
    return code, peak, result.stdout, err
