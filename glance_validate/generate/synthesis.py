"""Synthesis: realistic, consistent Glance image records generated from a compiled schema.

Every decision is taken from a :class:`Choices` source: a seeded :class:`RandomChoices` for the
``fuzz`` command (the same seed gives the same records in any process) or hypothesis's draws for
the public strategies (``glance_validate.strategies``), which then shrink to small records.

A record is what Glance would send for the schema at hand: the schema's properties only (plus
the link fields its templates name), uuid ids with ``self``/``file``/``schema`` links that name
them, RFC 3339 timestamps with ``updated_at >= created_at``, data that agrees with the status
(an active image has a size, a checksum of 32 lowercase hex digits and a hash as long as its
``os_hash_algo`` says; a queued one has none of them), nulls only where the schema allows them
(a field that is unset and not nullable is left out, as Glance did before Kilo), and extension
properties as strings. Each value is checked against its property's schema; a value the schema
rejects (an operator's own constraints) is replaced by one generated from the schema itself.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from glance_validate.core.uris import IMAGE_SCHEMA_URI, LIST_SCHEMA_URI
from glance_validate.generate.model import OMIT, Model, SynthesisError, pick, pools
from glance_validate.generate.regex_strings import Choices
from glance_validate.generate.schema_values import value_for

# Statuses in which an image has data (a size, a checksum); the others have none yet or any more.
DATA_STATUSES = frozenset({"active", "deactivated", "pending_delete", "deleted"})
_AMI_FORMATS = ("ami", "ari", "aki")  # Glance requires container == disk for these
_EPOCH_LOW = int(datetime(2014, 1, 1, tzinfo=timezone.utc).timestamp())
_EPOCH_HIGH = int(datetime(2026, 12, 31, tzinfo=timezone.utc).timestamp())
_ATTEMPTS = 6


# Facts shared by the fields of one record. ---------------------------------------------------


@dataclass
class _Facts:
    id: str = ""
    status: str = ""
    has_data: bool = False
    distro: dict[str, Any] = field(default_factory=dict)
    version: str = ""
    architecture: str = "x86_64"
    size: int | None = None
    disk_format: str | None = None
    stores: tuple[str, ...] = ()
    created: int = 0


def uuid_string(choices: Choices) -> str:
    return str(uuid.UUID(int=choices.integer(0, (1 << 128) - 1), version=4))


def hex_string(choices: Choices, length: int) -> str:
    return f"{choices.integer(0, (1 << (4 * length)) - 1):0{length}x}"


def timestamp(epoch: int) -> str:
    """RFC 3339 in UTC, the way Glance writes it: 2026-10-02T11:04:59Z."""
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# Records. ------------------------------------------------------------------------------------


def image(choices: Choices, model: Model, taken_ids: set[str] | None = None) -> dict[str, Any]:
    """One image record (the body of GET /v2/images/{id}, or an entry of a list page)."""
    facts = _Facts()
    record: dict[str, Any] = {}
    _identity(choices, model, facts, record, taken_ids if taken_ids is not None else set())
    _state(choices, model, facts, record)
    _formats(choices, model, facts, record)
    _data(choices, model, facts, record)
    _ownership(choices, model, facts, record)
    _times_and_links(choices, model, facts, record)
    _storage(choices, model, facts, record)
    _custom(choices, model, facts, record)
    _others(choices, model, record)
    _extensions(choices, model, facts, record)
    return record


def image_list(choices: Choices, model: Model, min_size: int = 0, max_size: int = 5) -> dict[str, Any]:
    """One page of GET /v2/images: images with distinct ids, first, next (on a full page), schema."""
    count = choices.integer(min_size, max_size)
    taken: set[str] = set()
    images = [image(choices, model, taken) for _ in range(count)]
    newest_first = choices.chance(0.3)
    if newest_first:
        images.sort(key=lambda i: str(i.get("created_at", "")), reverse=True)
    full = count > 0 and "id" in images[-1] and choices.chance(0.5)
    limit = count if full else choices.integer(count + 1, count + 25)
    query = f"limit={limit}" + ("&sort_key=created_at&sort_dir=desc" if newest_first else "")
    page: dict[str, Any] = {"images": images}
    first = f"/v2/images?{query}"
    if "first" in model.envelope:
        page["first"] = first
    if full and "next" in model.envelope:
        page["next"] = f"{first}&marker={images[-1]['id']}"
    if "schema" in model.envelope:
        page["schema"] = LIST_SCHEMA_URI
    return page


def _put(model: Model, record: dict[str, Any], name: str, value: Any, choices: Choices) -> None:
    """Set ``name`` to ``value`` if the schema has the property and accepts the value.

    A value the schema rejects is replaced by one generated from the property's schema; a
    property the schema does not declare is left out.
    """
    if name not in model.properties:
        return
    if value is OMIT:
        if name in model.required:
            value = None if model.accepts(name, None) else _from_schema(model, name, choices)
        else:
            return
    elif not model.accepts(name, value):
        value = _from_schema(model, name, choices)
    if value is not OMIT:
        record[name] = value


def _unset(model: Model, name: str) -> Any:
    """The value of an unset field: null where the schema allows it, else left out."""
    return None if model.accepts(name, None) else OMIT


def _from_schema(model: Model, name: str, choices: Choices) -> Any:
    extra = model.extra if isinstance(model.extra, dict) else {}
    schema = model.properties.get(name, extra)
    for _ in range(_ATTEMPTS):
        value = value_for(schema, choices)
        if model.accepts(name, value):
            return value
    if name in model.required:
        raise SynthesisError(
            f"schema {model.dialect.name!r}: cannot generate a value for the required property {name!r}"
        )
    return OMIT


def _identity(choices: Choices, model: Model, facts: _Facts, record: dict[str, Any], taken: set[str]) -> None:
    value = uuid_string(choices)
    while value in taken:  # hypothesis may draw the same number twice; ids in a page are distinct
        value = str(uuid.UUID(int=(uuid.UUID(value).int + 1) % (1 << 128), version=4))
    _put(model, record, "id", value, choices)
    facts.id = str(record.get("id", value))
    taken.add(facts.id)
    distros = pools()["distributions"]
    facts.distro = pick(choices, distros)
    facts.version = pick(choices, facts.distro["versions"])
    facts.architecture = pick(choices, facts.distro["architectures"])
    _put(model, record, "name", _name(choices, model, facts), choices)


def _name(choices: Choices, model: Model, facts: _Facts) -> Any:
    if model.accepts("name", None) and choices.chance(0.05):
        return None
    if choices.chance(0.2):
        return f"{pick(choices, pools()['other_names'])}-{choices.integer(1, 99)}"
    variant = pick(choices, pools()["name_variants"])
    return f"{facts.distro['os_distro']}-{facts.version}-{variant}"


def _state(choices: Choices, model: Model, facts: _Facts, record: dict[str, Any]) -> None:
    statuses = _enum_strings(model, "status") or ["queued", "saving", "active", "killed", "deleted"]
    status = "active" if "active" in statuses and choices.chance(0.6) else pick(choices, statuses)
    _put(model, record, "status", status, choices)
    facts.status = str(record.get("status", status))
    facts.has_data = facts.status in DATA_STATUSES
    visibilities = _enum_strings(model, "visibility") or ["public", "private"]
    _put(model, record, "visibility", pick(choices, visibilities), choices)
    _put(model, record, "protected", choices.chance(0.1), choices)
    _put(model, record, "os_hidden", choices.chance(0.05), choices)


def _enum_strings(model: Model, name: str) -> list[str]:
    enum = model.properties.get(name, {}).get("enum")
    return [v for v in enum if isinstance(v, str)] if isinstance(enum, list) else []


def _formats(choices: Choices, model: Model, facts: _Facts, record: dict[str, Any]) -> None:
    disks = _enum_strings(model, "disk_format") or ["raw", "qcow2"]
    containers = _enum_strings(model, "container_format") or ["bare"]
    if not facts.has_data and choices.chance(0.5):
        _put(model, record, "container_format", _unset(model, "container_format"), choices)
        _put(model, record, "disk_format", _unset(model, "disk_format"), choices)
        return
    disk = pick(choices, disks)
    if disk in _AMI_FORMATS and disk in containers:
        container = disk
    else:
        plain = [c for c in containers if c not in _AMI_FORMATS] or containers
        container = "bare" if "bare" in plain and choices.chance(0.7) else pick(choices, plain)
        if container in _AMI_FORMATS:
            disk = container if container in disks else disk
    facts.disk_format = disk
    _put(model, record, "container_format", container, choices)
    _put(model, record, "disk_format", disk, choices)


def _data(choices: Choices, model: Model, facts: _Facts, record: dict[str, Any]) -> None:
    _put(model, record, "min_disk", _min(choices, facts, "min_disk"), choices)
    _put(model, record, "min_ram", _min(choices, facts, "min_ram"), choices)
    if not facts.has_data:
        for name in ("size", "virtual_size", "checksum", "os_hash_algo", "os_hash_value"):
            _put(model, record, name, _unset(model, name), choices)
        return
    size = choices.integer(1 << 20, 1 << 36)
    facts.size = size
    _put(model, record, "size", size, choices)
    if model.accepts("virtual_size", None) and choices.chance(0.2):
        virtual: Any = None
    else:
        virtual = size if facts.disk_format == "raw" else choices.integer(size, size * 8)
    _put(model, record, "virtual_size", virtual, choices)
    checksum = None if model.accepts("checksum", None) and choices.chance(0.05) else hex_string(choices, 32)
    _put(model, record, "checksum", checksum, choices)
    _hashes(choices, model, record)


def _hashes(choices: Choices, model: Model, record: dict[str, Any]) -> None:
    legacy = model.accepts("os_hash_algo", None) and model.accepts("os_hash_value", None)
    if legacy and choices.chance(0.15):
        _put(model, record, "os_hash_algo", None, choices)
        _put(model, record, "os_hash_value", None, choices)
        return
    lengths: dict[str, int] = pools()["hash_lengths"]
    algorithm = "sha512" if choices.chance(0.8) else pick(choices, sorted(lengths))
    value = hex_string(choices, lengths[algorithm])
    if not (model.accepts("os_hash_algo", algorithm) and model.accepts("os_hash_value", value)):
        return  # an operator's schema that does not take Glance's hashes: leave both out
    _put(model, record, "os_hash_algo", algorithm, choices)
    _put(model, record, "os_hash_value", value, choices)


def _min(choices: Choices, facts: _Facts, name: str) -> int:
    if not facts.has_data and choices.chance(0.7):
        return 0
    options: list[int] = pools()[name]
    return pick(choices, options)


def _ownership(choices: Choices, model: Model, facts: _Facts, record: dict[str, Any]) -> None:
    owner = None if model.accepts("owner", None) and choices.chance(0.05) else hex_string(choices, 32)
    _put(model, record, "owner", owner, choices)
    _put(model, record, "tags", _tags(choices, model), choices)


def _tags(choices: Choices, model: Model) -> list[str]:
    pool: list[str] = list(pools()["tags"])
    tags: list[str] = []
    for _ in range(choices.integer(0, 3)):
        tag = pick(choices, pool)
        pool.remove(tag)
        tags.append(tag)
    return tags


def _times_and_links(choices: Choices, model: Model, facts: _Facts, record: dict[str, Any]) -> None:
    created = choices.integer(_EPOCH_LOW, _EPOCH_HIGH)
    updated = created if choices.chance(0.3) else created + choices.integer(1, 90 * 86400)
    facts.created = created
    _put(model, record, "created_at", timestamp(created), choices)
    _put(model, record, "updated_at", timestamp(updated), choices)
    links = {
        "self": f"/v2/images/{facts.id}",
        "file": f"/v2/images/{facts.id}/file",
        "schema": IMAGE_SCHEMA_URI,
    }
    for name in model.link_fields:
        value = links.get(name, OMIT)
        if name in model.properties:
            _put(model, record, name, value, choices)
        elif value is not OMIT and model.accepts(name, value):
            record[name] = value


def _storage(choices: Choices, model: Model, facts: _Facts, record: dict[str, Any]) -> None:
    if not facts.has_data:
        if "locations" in model.properties and choices.chance(0.3):
            _put(model, record, "locations", [], choices)
        return
    stores = pools()["stores"]
    first = choices.integer(0, len(stores) - 1)
    facts.stores = tuple(stores[first : first + choices.integer(1, 2)])
    locations = [
        {"url": _location_url(choices, facts, store), "metadata": {"store": store}} for store in facts.stores
    ]
    if "locations" in model.properties and choices.chance(0.3):
        _put(model, record, "locations", locations, choices)
    if "direct_url" in model.properties and choices.chance(0.3):
        _put(model, record, "direct_url", locations[0]["url"], choices)
    if "stores" in model.properties and choices.chance(0.5):
        _put(model, record, "stores", ",".join(facts.stores), choices)


def _location_url(choices: Choices, facts: _Facts, store: str) -> str:
    if store.startswith("ceph"):
        return f"rbd://{uuid_string(choices)}/images/{facts.id}/snap"
    if store.startswith("swift"):
        return f"swift+https://objects.example.net/v1/AUTH_{hex_string(choices, 32)}/glance/{facts.id}"
    return f"file:///var/lib/glance/images/{facts.id}"


def _custom(choices: Choices, model: Model, facts: _Facts, record: dict[str, Any]) -> None:
    for name in ("kernel_id", "ramdisk_id"):
        if facts.disk_format == "ami" or choices.chance(0.1):
            value = None if model.accepts(name, None) and choices.chance(0.3) else uuid_string(choices)
            _put(model, record, name, value, choices)
    if choices.chance(0.15):
        _put(model, record, "instance_uuid", uuid_string(choices), choices)
    if choices.chance(0.5):
        _put(model, record, "architecture", facts.architecture, choices)
    if choices.chance(0.5):
        _put(model, record, "os_distro", facts.distro["os_distro"], choices)
        _put(model, record, "os_version", facts.version, choices)
    if choices.chance(0.2):
        _put(model, record, "description", pick(choices, pools()["descriptions"]), choices)
    if choices.chance(0.05):
        _put(model, record, "cinder_encryption_key_id", uuid_string(choices), choices)
        policies = _enum_strings(model, "cinder_encryption_key_deletion_policy") or ["on_image_deletion"]
        _put(model, record, "cinder_encryption_key_deletion_policy", pick(choices, policies), choices)


KNOWN_FIELDS = frozenset(
    {
        "id", "name", "status", "visibility", "protected", "os_hidden", "container_format",
        "disk_format", "min_disk", "min_ram", "size", "virtual_size", "checksum", "os_hash_algo",
        "os_hash_value", "owner", "tags", "created_at", "updated_at", "self", "file", "schema",
        "locations", "direct_url", "stores", "kernel_id", "ramdisk_id", "instance_uuid",
        "architecture", "os_distro", "os_version", "description", "cinder_encryption_key_id",
        "cinder_encryption_key_deletion_policy",
    }
)  # fmt: skip


def _others(choices: Choices, model: Model, record: dict[str, Any]) -> None:
    """Properties of an operator's schema that the generator knows nothing about."""
    for name in model.properties:
        if name in record or name in KNOWN_FIELDS:
            continue
        if name in model.required or choices.chance(0.3):
            value = _from_schema(model, name, choices)
            if value is not OMIT:
                record[name] = value
    for name in sorted(model.required - set(record)):  # required known fields left out above
        record[name] = _from_schema(model, name, choices)


def _extensions(choices: Choices, model: Model, facts: _Facts, record: dict[str, Any]) -> None:
    if not model.extensions and not _ims_pool(model):
        return
    if _ims_pool(model) and choices.chance(0.7):
        bits = "32" if facts.architecture == "i686" else "64"
        described = {
            "__os_type": facts.distro["os_type"],
            "__os_bit": bits,
            "__platform": facts.distro["platform"],
            "__os_version": facts.distro["ims_version"].format(version=facts.version, bits=bits),
        }
        if facts.has_data and facts.size is not None:
            described["__image_size"] = str(facts.size)
        if facts.architecture == "aarch64":
            described["__support_arm"] = "true"
        for name, value in described.items():
            _extension(model, record, name, value)
    names = sorted(model.extensions)
    for _ in range(choices.integer(0, 3)):
        name = pick(choices, names)
        _extension(model, record, name, pick(choices, model.extensions[name]))


def _ims_pool(model: Model) -> bool:
    return "__imagetype" in model.extensions


def _extension(model: Model, record: dict[str, Any], name: str, value: str) -> None:
    if name not in record and model.allows_extra(name) and model.accepts(name, value):
        record[name] = value
