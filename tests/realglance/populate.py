"""Fill the test Glance with images through its own v2 API, and record what was made.

The population covers what a real cloud's listing holds: queued images with no data (several disk
and container formats, one without a name), active images uploaded to either store, an image
imported with glance-direct into both stores, a deactivated one, a hidden one (``os_hidden``), each
visibility, tags, custom properties (``hw_disk_bus``, ``os_distro``, ``x_test_prop`` ...), a
protected one, and a shared image with members in each member status. Uploads are raw (Glance 33
inspects uploaded data, and arbitrary bytes are a valid raw image); other disk formats are only
declared on queued images.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from .client import GlanceClient
from .identity import DEFAULT_PROJECT

DATA = b"glance-validate real Glance test image\n" * 64  # any bytes are a raw image
NAME_PREFIX = "rg-"
# projects that the shared image is shared with; the member acts under its own project id
MEMBERS = {
    "accepted": "5d1b3f2a9c8e47d6a0b1c2d3e4f50617",
    "rejected": "6e2c4a3b0d9f48e7b1c2d3e4f5061728",
    "pending": "7f3d5b4c1e0a49f8c2d3e4f506172839",
}


@dataclass(frozen=True)
class Image:
    """One image made by populate: how it was made and what Glance should show for it."""

    name: str | None
    id: str
    kind: str  # queued, uploaded, imported, deactivated, ...
    status: str  # the status it should have now
    visibility: str
    hidden: bool = False
    stores: tuple[str, ...] = ()


@dataclass
class Population:
    """What populate made: the images (in creation order), the shared image and its members."""

    project_id: str
    images: list[Image] = field(default_factory=list)
    shared_image_id: str = ""
    members: dict[str, str] = field(default_factory=dict)  # member status -> member (project) id
    seconds: float = 0.0

    def by_kind(self, kind: str) -> list[Image]:
        return [image for image in self.images if image.kind == kind]

    def named(self, name: str) -> Image:
        return next(image for image in self.images if image.name == name)

    def ids(self) -> list[str]:
        return [image.id for image in self.images]

    def listed_ids(self) -> set[str]:
        """The ids a default listing shows: every image but the hidden ones."""
        return {image.id for image in self.images if not image.hidden}


def _create(client: GlanceClient, body: dict[str, Any]) -> dict[str, Any]:
    created: dict[str, Any] = client.request("POST", "/v2/images", json_body=body, expect=(201,)).json()
    return created


def _upload(client: GlanceClient, image_id: str, store: str | None = None) -> None:
    headers = {"X-Image-Meta-Store": store} if store else None
    client.request("PUT", f"/v2/images/{image_id}/file", data=DATA, headers=headers, expect=(204,))


def _wait_status(client: GlanceClient, image_id: str, status: str, timeout: float = 30.0) -> dict[str, Any]:
    image: dict[str, Any] = client.wait_for(
        f"/v2/images/{image_id}", lambda body: body.get("status") == status, timeout=timeout
    )
    return image


def _wait_tasks(client: GlanceClient, image_id: str, timeout: float = 30.0) -> None:
    """Wait until the image's import tasks have ended (they update the database after the image)."""
    client.wait_for(
        f"/v2/images/{image_id}/tasks",
        lambda body: all(task.get("status") in ("success", "failure") for task in body.get("tasks", [])),
        timeout=timeout,
    )


def populate(client: GlanceClient) -> Population:
    """Create the images; raises GlanceError when Glance refuses a step or an import does not end."""
    started = time.monotonic()
    population = Population(project_id=DEFAULT_PROJECT)

    def record(body: dict[str, Any], kind: str, status: str, **extra: Any) -> str:
        image = Image(body.get("name"), body["id"], kind, status, body["visibility"], **extra)
        population.images.append(image)
        return image.id

    # queued: no data; formats other than raw are only declared here
    queued: list[dict[str, Any]] = [
        {"name": "rg-queued-raw", "disk_format": "raw", "container_format": "bare"},
        {
            "name": "rg-queued-qcow2",
            "disk_format": "qcow2",
            "container_format": "bare",
            "tags": ["base", "qcow2"],
        },
        {"name": "rg-queued-vmdk-ova", "disk_format": "vmdk", "container_format": "ova", "min_disk": 10},
        {
            "name": "rg-queued-iso-community",
            "disk_format": "iso",
            "container_format": "bare",
            "visibility": "community",
        },
        {"name": "rg-queued-aki", "disk_format": "aki", "container_format": "aki", "architecture": "x86_64"},
        {"name": "rg-queued-ari", "disk_format": "ari", "container_format": "ari"},
        {
            "name": "rg-queued-ploop",
            "disk_format": "ploop",
            "container_format": "compressed",
            "min_ram": 2048,
        },
        {"disk_format": "vhd", "container_format": "ovf"},  # no name: name is null
        {"name": "rg-queued-empty"},  # no formats at all: both null
    ]
    for body in queued:
        record(_create(client, body), "queued", "queued")

    # active: raw data uploaded with PUT /file, to the default store or to the named one
    uploads: list[tuple[dict[str, Any], str | None]] = [
        (
            {
                "name": "rg-active-public",
                "visibility": "public",
                "tags": ["ubuntu", "lts"],
                "hw_disk_bus": "virtio",
                "os_distro": "ubuntu",
                "os_version": "24.04",
                "x_test_prop": "some value",
            },
            None,
        ),
        ({"name": "rg-active-private", "visibility": "private", "min_ram": 512, "min_disk": 1}, None),
        (
            {"name": "rg-active-cheap-store", "visibility": "public", "description": "in the cheap store"},
            "cheap",
        ),
        ({"name": "rg-active-protected", "visibility": "public", "protected": True}, None),
        ({"name": "rg-active-community", "visibility": "community", "hw_scsi_model": "virtio-scsi"}, None),
        (
            {
                "name": "rg-active-many-tags",
                "tags": ["a", "b", "c", "with space", "ünïcode"],
                "hw_disk_bus": "scsi",
                "x_test_prop": "",
            },
            "fast",
        ),
    ]
    for body, store in uploads:
        full = {"disk_format": "raw", "container_format": "bare", **body}
        image_id = record(_create(client, full), "uploaded", "active", stores=(store or "fast",))
        _upload(client, image_id, store)

    # hidden: os_hidden keeps it out of default listings
    hidden = _create(
        client,
        {
            "name": "rg-hidden",
            "disk_format": "raw",
            "container_format": "bare",
            "os_hidden": True,
            "visibility": "public",
        },
    )
    record(hidden, "hidden", "active", hidden=True, stores=("fast",))
    _upload(client, hidden["id"])

    # deactivated: uploaded, then deactivated
    deactivated = _create(
        client, {"name": "rg-deactivated", "disk_format": "raw", "container_format": "bare"}
    )
    record(deactivated, "deactivated", "deactivated", stores=("fast",))
    _upload(client, deactivated["id"])
    client.request("POST", f"/v2/images/{deactivated['id']}/actions/deactivate", expect=(204,))

    # shared: members in each member status (the member itself accepts or rejects)
    shared = _create(
        client,
        {
            "name": "rg-shared",
            "disk_format": "raw",
            "container_format": "bare",
            "visibility": "shared",
            "tags": ["team"],
        },
    )
    record(shared, "shared", "active", stores=("fast",))
    _upload(client, shared["id"])
    population.shared_image_id = shared["id"]
    for status, member in MEMBERS.items():
        client.request("POST", f"/v2/images/{shared['id']}/members", json_body={"member": member})
        population.members[status] = member
        if status != "pending":
            client.request(
                "PUT",
                f"/v2/images/{shared['id']}/members/{member}",
                json_body={"status": status},
                headers={"X-Project-Id": member, "X-Roles": "member,reader"},
            )

    # imported: glance-direct (stage, then import) into both stores; the task runs in Glance's process
    imports: list[tuple[dict[str, Any], list[str] | None]] = [
        (
            {"name": "rg-imported-both-stores", "visibility": "public", "os_distro": "debian"},
            ["fast", "cheap"],
        ),
        ({"name": "rg-imported-default", "tags": ["imported"], "x_test_prop": "imported"}, None),
    ]
    # one import at a time: the task writes to the sqlite database from Glance's thread pool, and a
    # second writer meanwhile gets "database is locked"
    for body, stores in imports:
        full = {"disk_format": "raw", "container_format": "bare", **body}
        created = _create(client, full)
        client.request("PUT", f"/v2/images/{created['id']}/stage", data=DATA, expect=(204,))
        request: dict[str, Any] = {"method": {"name": "glance-direct"}}
        if stores:
            request["stores"] = stores
        client.request("POST", f"/v2/images/{created['id']}/import", json_body=request, expect=(202,))
        record(created, "imported", "active", stores=tuple(stores or ["fast"]))
        _wait_status(client, created["id"], "active")
        _wait_tasks(client, created["id"])

    # an AMI-style image that names its kernel (a queued aki image) by id
    kernel = population.named("rg-queued-aki").id
    ami = _create(
        client,
        {
            "name": "rg-queued-ami",
            "disk_format": "ami",
            "container_format": "ami",
            "kernel_id": kernel,
            "ramdisk_id": str(uuid.UUID(int=7)),
        },
    )
    record(ami, "queued", "queued")

    population.seconds = time.monotonic() - started
    return population
