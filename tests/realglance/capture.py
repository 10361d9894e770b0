"""Save responses of a real Glance 33.0.0 into a directory, with a PROVENANCE.md note.

    python tests/realglance/capture.py DIR

starts Glance on 127.0.0.1 (building its environment first if needed), fills it (``populate``),
and writes into DIR: every page of several image-list walks (``list-<walk>-page-<n>.json``), each
image made (``image-<name>.json``), the schemas (``schema-images.json``, ``schema-image.json``,
``schema-member.json``, ``schema-members.json``), and under ``other/`` the bodies that are not
image payloads: ``/v2/info/stores``, a member list and a member record, ``/versions`` and error
responses (``.http`` files keep the status line and headers, as ``curl -i`` saves them). Glance
is stopped afterwards. The functions are also what the tests use to save what they check.
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the realglance package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from realglance import build, config
from realglance.client import GlanceClient, walk_images
from realglance.populate import Population, populate
from realglance.server import RealGlance

JSON = {"Accept": "application/json"}
# image-list walks: name -> query. limit=5 over the 20 listed images ends on an empty page (Glance
# gives a full last page a next link); the others end on a short page, sort, filter or show hidden.
WALKS = {
    "limit5": "limit=5",
    "limit7": "limit=7",
    "sort-name": "limit=4&sort_key=name&sort_dir=asc",
    "sort-multi": "limit=5&sort=name:desc,created_at",
    "public": "limit=3&visibility=public",
    "queued": "limit=6&status=queued",
    "hidden": "os_hidden=true&limit=2",
    "shared-all": "member_status=all&visibility=shared&limit=2",
}
SCHEMAS = ("images", "image", "member", "members")


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)


def save_walks(client: GlanceClient, dest: Path, walks: dict[str, str] | None = None) -> list[Path]:
    """Walk each listing to its end and write every page; returns the files written."""
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for name, query in (WALKS if walks is None else walks).items():
        for number, page in enumerate(walk_images(client, query), start=1):
            path = dest / f"list-{_safe(name)}-page-{number}.json"
            path.write_bytes(page.response.body)
            written.append(path)
    return written


def save_images(client: GlanceClient, population: Population, dest: Path) -> list[Path]:
    """GET every image populate made (hidden ones too) and write each body."""
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for image in population.images:
        path = dest / f"image-{_safe(image.name or 'unnamed-' + image.id)}.json"
        path.write_bytes(client.request("GET", f"/v2/images/{image.id}", headers=JSON).body)
        written.append(path)
    return written


def save_schemas(client: GlanceClient, dest: Path) -> list[Path]:
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SCHEMAS:
        path = dest / f"schema-{name}.json"
        path.write_bytes(client.request("GET", f"/v2/schemas/{name}", headers=JSON).body)
        written.append(path)
    return written


def save_others(client: GlanceClient, population: Population, dest: Path) -> dict[str, Path]:
    """Bodies that are not image payloads, by what they are; returns what -> file."""
    dest.mkdir(parents=True, exist_ok=True)
    shared = population.shared_image_id
    member = population.members["accepted"]
    missing = "00000000-0000-4000-8000-000000000000"
    plan: list[tuple[str, str, str, dict[str, str], tuple[int, ...], bool]] = [
        # what, file, path, headers, expected statuses, keep status line and headers
        ("stores", "stores.json", "/v2/info/stores", JSON, (200,), False),
        ("members", "members.json", f"/v2/images/{shared}/members", JSON, (200,), False),
        ("member", "member.json", f"/v2/images/{shared}/members/{member}", JSON, (200,), False),
        ("versions", "versions.json", "/versions", JSON, (200,), False),
        ("versions-root", "versions-root.http", "/", JSON, (300,), True),
        ("error-400-text", "error-400-text.http", "/v2/images?limit=abc", {}, (400,), True),
        ("error-400-json", "error-400-json.http", "/v2/images?limit=abc", JSON, (400,), True),
        ("error-404-json", "error-404.json", f"/v2/images/{missing}", JSON, (404,), False),
    ]
    written = {}
    for what, filename, path, headers, expect, whole in plan:
        response = client.request("GET", path, headers=headers, expect=expect)
        target = dest / filename
        target.write_bytes(response.as_http() if whole else response.body)
        written[what] = target
    return written


def provenance(population: Population, base_url: str) -> str:
    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    kinds = sorted({image.kind for image in population.images})
    return (
        "# Provenance\n\n"
        f"Captured {today} from a real upstream Glance {build.GLANCE_VERSION} (installed by pip into an "
        f"environment of its own) at {base_url}, by tests/realglance/capture.py.\n\n"
        f"Configuration: {config.describe()} No schema-image.json: the served images schema has "
        "Glance's base properties only.\n\n"
        f"Population, made through Glance's own v2 API: {len(population.images)} images "
        f"({', '.join(kinds)}), "
        f"the shared one with members in states {', '.join(population.members)}.\n\n"
        "Image-list walks (query per walk): "
        + "; ".join(f"{name}: `{query}`" for name, query in WALKS.items())
        + ".\n"
    )


def capture(dest: Path) -> Path:
    """Start Glance, fill it, save everything into dest; returns dest."""
    dest.mkdir(parents=True, exist_ok=True)
    python = build.ensure_built()
    with (
        tempfile.TemporaryDirectory(prefix="realglance-") as state,
        RealGlance(Path(state), python) as server,
    ):
        client = server.client()
        population = populate(client)
        save_walks(client, dest)
        save_images(client, population, dest)
        save_schemas(client, dest)
        save_others(client, population, dest / "other")
        (dest / "PROVENANCE.md").write_text(provenance(population, server.base_url))
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Save responses of a real Glance 33.0.0 into DIR.")
    parser.add_argument("dir", type=Path)
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        capture(args.dir)
    except build.BuildError as exc:
        print(f"capture: the Glance environment could not be built: {exc}", file=sys.stderr)
        return 1
    files = sum(1 for path in args.dir.rglob("*") if path.is_file())
    print(f"capture: {files} files in {args.dir} ({time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
