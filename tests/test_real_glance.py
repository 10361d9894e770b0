"""glance-validate against a real upstream Glance 33.0.0 on 127.0.0.1 (the ``real_glance`` fixture).

The tool is driven through its command line (``python -m glance_validate``), with a schema cache
of its own per test. Glance serves its base properties only (no schema-image.json is installed
by pip), so the builtin ``glance`` schema differs from the live one by the custom properties.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from forward_proxy import ForwardProxy, Recorder
from realglance.capture import WALKS, save_images, save_others, save_walks
from realglance.client import walk_images
from realglance.fixture import RealGlanceSession
from realglance.populate import MEMBERS

CLI_TIMEOUT = 120.0
# the custom properties of Glance's etc/schema-image.json: in the builtin schema, not served by a
# Glance installed with pip, which ships no schema-image.json
CUSTOM_PROPERTIES = {
    "architecture",
    "cinder_encryption_key_deletion_policy",
    "cinder_encryption_key_id",
    "description",
    "instance_uuid",
    "kernel_id",
    "os_distro",
    "os_version",
    "ramdisk_id",
}


def cli(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m glance_validate ARGS`` with a schema cache under tmp_path and no OS_* settings."""
    settings = env or {}
    env = {key: value for key, value in os.environ.items() if not key.startswith(("OS_", "GLANCE_VALIDATE_"))}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    env["NO_COLOR"] = "1"
    env |= settings
    return subprocess.run(
        [sys.executable, "-m", "glance_validate", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=CLI_TIMEOUT,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def report(tmp_path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    """Run ``check --format json ARGS``; the exit code and the parsed report."""
    done = cli(tmp_path, "check", "--format", "json", "--no-progress", *args)
    assert done.returncode in (0, 1), f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.returncode, json.loads(done.stdout)


def findings(result: dict[str, Any]) -> list[str]:
    return [
        f"{payload['source']}: {finding['code']} [{finding['severity']}] {finding['message']}"
        f" at {finding['path'] or '/'}"
        for payload in result["payloads"]
        for finding in payload["findings"]
    ]


def test_population_is_listed_and_walk_ends_on_an_empty_page(real_glance: RealGlanceSession) -> None:
    """Every image but the hidden one is listed, and a full last page still links to an empty one."""
    listed = set(real_glance.population.listed_ids())
    assert len(listed) % 5 == 0, "the limit=5 walk needs a full last page"
    pages = walk_images(real_glance.client, "limit=5")
    bodies = [page.response.json() for page in pages]
    seen = [image["id"] for body in bodies for image in body["images"]]
    assert sorted(seen) == sorted(listed)
    assert len(pages) == len(listed) // 5 + 1
    assert bodies[-1]["images"] == [] and "next" not in bodies[-1]
    assert all("next" in body for body in bodies[:-1])
    hidden = walk_images(real_glance.client, "os_hidden=true")
    assert [image["id"] for image in hidden[0].response.json()["images"]] == [
        image.id for image in real_glance.population.images if image.hidden
    ]


def test_population_has_each_state_store_and_member_status(real_glance: RealGlanceSession) -> None:
    """Each image has the status, visibility and stores populate meant; each member its status."""
    client = real_glance.client
    for image in real_glance.population.images:
        body = client.get_json(f"/v2/images/{image.id}")
        assert (body["status"], body["visibility"], body["os_hidden"]) == (
            image.status,
            image.visibility,
            image.hidden,
        )
        if image.stores:
            assert body["stores"].split(",") == list(image.stores)
    statuses = {image.status for image in real_glance.population.images}
    assert statuses == {"queued", "active", "deactivated"}
    visibilities = {image.visibility for image in real_glance.population.images}
    assert visibilities == {"public", "private", "shared", "community"}
    members = client.get_json(f"/v2/images/{real_glance.population.shared_image_id}/members")["members"]
    assert {member["member_id"]: member["status"] for member in members} == {v: k for k, v in MEMBERS.items()}
    stores = client.get_json("/v2/info/stores")["stores"]
    assert [store["id"] for store in stores] == ["fast", "cheap"]


def test_schema_fetch_writes_the_served_images_schema(real_glance: RealGlanceSession, tmp_path: Path) -> None:
    """``schema fetch --endpoint`` writes the served images schema, JSON-equal to GET /v2/schemas/images."""
    target = tmp_path / "images-schema.json"
    done = cli(tmp_path, "schema", "fetch", "--endpoint", real_glance.base_url, "-o", str(target))
    assert done.returncode == 0, done.stderr
    written = json.loads(target.read_text())
    assert written == real_glance.client.get_json("/v2/schemas/images")
    assert written["name"] == "images"
    assert {"id", "status", "visibility", "os_hidden", "stores"} <= set(
        written["properties"]["images"]["items"]["properties"]
    )


def test_schema_fetch_and_check_go_through_a_proxy(real_glance: RealGlanceSession, tmp_path: Path) -> None:
    """With HTTP_PROXY set, ``schema fetch`` and ``check --schema URL`` reach Glance through the proxy."""
    page = tmp_path / "page.json"
    page.write_bytes(walk_images(real_glance.client, "limit=5")[0].response.body)
    with Recorder(ForwardProxy) as proxy:
        through = {"HTTP_PROXY": proxy.base, "NO_PROXY": ""}
        fetched = cli(
            tmp_path, "schema", "fetch", "--endpoint", real_glance.base_url, "-o", "s.json", env=through
        )
        checked = cli(
            tmp_path, "check", "--cache-ttl", "0", "--schema", real_glance.schema_url, str(page), env=through
        )
    assert (fetched.returncode, checked.returncode) == (0, 0), fetched.stderr + checked.stderr
    assert json.loads((tmp_path / "s.json").read_text()) == real_glance.client.get_json("/v2/schemas/images")
    assert [target for target, _port in proxy.seen] == [real_glance.schema_url] * 2


def test_check_against_the_live_schema_url_accepts_a_served_page(
    real_glance: RealGlanceSession, tmp_path: Path
) -> None:
    """``check --schema http://127.0.0.1:PORT/v2/schemas/images`` passes a list page that Glance served."""
    page = tmp_path / "page.json"
    page.write_bytes(walk_images(real_glance.client, "limit=5")[0].response.body)
    code, result = report(tmp_path, "--schema", real_glance.schema_url, str(page))
    assert (code, findings(result)) == (0, [])
    assert result["schema"]["name"] == real_glance.schema_url
    assert [(payload["kind"], payload["images"]) for payload in result["payloads"]] == [("image-list", 5)]


def test_schema_diff_builtin_glance_against_live_differs_only_by_custom_properties(
    real_glance: RealGlanceSession, tmp_path: Path
) -> None:
    """``schema diff glance LIVE``: all base properties equal; only schema-image.json's custom ones gone."""
    done = cli(tmp_path, "schema", "diff", "--format", "json", "glance", real_glance.schema_url)
    assert done.returncode == 1, done.stdout + done.stderr
    changes = json.loads(done.stdout)["changes"]
    assert {change["property"] for change in changes} == CUSTOM_PROPERTIES
    assert all(change["aspect"] == "removed" and change["a"]["is_base"] is False for change in changes)


def test_every_served_page_and_image_passes_check_with_builtin_glance(
    real_glance: RealGlanceSession, tmp_path: Path
) -> None:
    """Every page of several list walks and every image GET from Glance 33: no finding against ``glance``."""
    payloads = tmp_path / "payloads"
    pages = save_walks(real_glance.client, payloads)
    images = save_images(real_glance.client, real_glance.population, payloads)
    code, result = report(tmp_path, "--schema", "glance", str(payloads))
    assert findings(result) == []
    assert code == 0
    kinds = sorted(payload["kind"] for payload in result["payloads"])
    assert kinds == sorted(["image-list"] * len(pages) + ["image"] * len(images))
    assert len(pages) > len(WALKS)


def test_every_served_page_and_image_passes_check_with_the_live_schema(
    real_glance: RealGlanceSession, tmp_path: Path
) -> None:
    """The same walks and images get no finding against the schema the server itself serves."""
    payloads = tmp_path / "payloads"
    save_walks(real_glance.client, payloads)
    save_images(real_glance.client, real_glance.population, payloads)
    code, result = report(tmp_path, "--schema", real_glance.schema_url, str(payloads))
    assert (code, findings(result)) == (0, [])


def test_other_served_bodies_are_read_and_error_bodies_recognised(
    real_glance: RealGlanceSession, tmp_path: Path
) -> None:
    """Stores, members, a member, /versions and errors are each read once; errors are error bodies."""
    others = save_others(real_glance.client, real_glance.population, tmp_path / "other")
    _code, result = report(tmp_path, "--schema", "glance", str(tmp_path / "other"))
    by_file = {Path(payload["source"]).name: payload for payload in result["payloads"]}
    assert sorted(by_file) == sorted(path.name for path in others.values())
    for what in ("error-400-text", "error-400-json", "error-404-json"):
        payload = by_file[others[what].name]
        assert payload["kind"] == "error-body", (what, payload)
        assert [finding["severity"] for finding in payload["findings"]] == ["warning"], (what, payload)
    root = by_file[others["versions-root"].name]  # the 300 Multiple Choices of GET /
    assert (root["kind"], [f["code"] for f in root["findings"]]) == ("unknown", ["S008"])


def test_stores_members_a_member_and_versions_are_each_one_info_finding(
    real_glance: RealGlanceSession, tmp_path: Path
) -> None:
    """Glance's stores, member list, member record and /versions: exit 0, one S008 info each."""
    others = save_others(real_glance.client, real_glance.population, tmp_path / "other")
    chosen = tmp_path / "not-images"
    chosen.mkdir()
    for what in ("stores", "members", "member", "versions"):
        (chosen / others[what].name).write_bytes(others[what].read_bytes())
    code, result = report(tmp_path, "--schema", "glance", str(chosen))
    found = {
        Path(p["source"]).name: (p["kind"], [(f["code"], f["severity"]) for f in p["findings"]])
        for p in result["payloads"]
    }
    assert found == {name: ("unknown", [("S008", "info")]) for name in found}
    assert len(found) == 4
    assert code == 0


@pytest.mark.parametrize("what", ["ready", "db_sync", "populate"])
def test_real_glance_starts_and_fills_within_budget(real_glance: RealGlanceSession, what: str) -> None:
    """Starting Glance (db sync, ready) and populating it each stay well under the suite's time budget."""
    assert real_glance.timings[what] < 30.0, real_glance.timings
