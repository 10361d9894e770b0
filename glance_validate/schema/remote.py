"""Remote schemas: how to reach a deployment's schema (``SchemaOptions``) and loading it.

``SchemaOptions`` is a plain, picklable value the command line builds from ``--token``,
``--os-cloud``, ``--offline``, ``--cache-ttl``, ``--insecure``, ``--cacert`` and the timeouts.
``load_remote`` puts the pieces together: Keystone (only when a cloud is named and the cache
cannot answer), fetch, and the cache in front of both. Importing this module is cheap; the
HTTP stack is imported only when a schema is actually loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from glance_validate.core.errors import SchemaUnavailable
from glance_validate.net.urls import endpoint_url, is_url, safe_url
from glance_validate.schema.documents import SchemaDocument, SchemaSpec

if TYPE_CHECKING:
    from glance_validate.net.cache import CachePolicy
    from glance_validate.net.client import HttpClient
    from glance_validate.net.exchange import FetchSettings
    from glance_validate.net.keystone import CloudAccess


@dataclass(frozen=True)
class SchemaOptions:
    """How to fetch a schema: credentials, TLS trust, timeouts and the cache (None: defaults)."""

    token: str | None = field(default=None, repr=False)
    os_cloud: str | None = None
    image_schema: bool = False  # /v2/schemas/image instead of /v2/schemas/images
    offline: bool = False
    cache_ttl: float | None = None
    cache_dir: Path | None = None
    insecure: bool = False
    cacert: str | None = None
    connect_timeout: float | None = None
    read_timeout: float | None = None


def load_remote(spec: SchemaSpec | None, options: SchemaOptions | None = None) -> SchemaDocument:
    """The schema at URL ``spec``, or at the image endpoint of ``options.os_cloud``."""
    from glance_validate.net.cache import retrieve

    options = options or SchemaOptions()
    clients: list[HttpClient] = []  # made by a login; the fetch after it reuses its connections

    def login() -> CloudAccess:
        from glance_validate.net.client import HttpClient

        clients.append(HttpClient(_settings(options, None).client()))
        return _login(options, clients[0])

    if is_url(spec):
        url = str(spec)
        key = safe_url(url)

        def connect() -> tuple[str, FetchSettings]:
            if options.os_cloud and not options.token:
                access = login()
                return url, _settings(options, access.token, _cloud_hint(options.os_cloud))
            return url, _settings(options, options.token)

    elif options.os_cloud:
        cloud = options.os_cloud
        key = f"os-cloud:{cloud}" + ("/image" if options.image_schema else "")

        def connect() -> tuple[str, FetchSettings]:
            access = login()
            token, hint = (options.token, None) if options.token else (access.token, _cloud_hint(cloud))
            return endpoint_url(access.endpoint, image=options.image_schema), _settings(options, token, hint)

    else:
        raise SchemaUnavailable(f"schema {spec!r}: not an http(s) URL, and no --os-cloud given")

    def shared() -> HttpClient | None:
        return clients[0] if clients else None

    try:
        retrieved = retrieve(key, connect, _policy(options), usable=_compiles, shared=shared)
    finally:
        for client in clients:
            client.close()
    return SchemaDocument(retrieved.url, retrieved.document, retrieved.warnings)


def _compiles(document: dict[str, Any]) -> bool:
    """Whether a fetched document is an images schema that both Draft 4 and the guard accept."""
    import jsonschema_rs

    from glance_validate.schema.dialect import compile_dialect
    from glance_validate.schema.guard import check

    try:
        dialect = compile_dialect(SchemaDocument("<fetched>", document))
        for schema in (dialect.list_schema, dialect.image_schema):
            check(schema, dialect.schemas)
            registry = jsonschema_rs.Registry(list(dialect.schemas.items()), draft=jsonschema_rs.Draft4)
            jsonschema_rs.Draft4Validator(schema, validate_formats=False, registry=registry)
    except Exception:  # any reason the schema cannot be used: the check that uses it says which
        return False
    return jsonschema_rs.meta.is_valid(
        {**dialect.list_schema, "$schema": "http://json-schema.org/draft-04/schema#"}
    )


def _login(options: SchemaOptions, client: HttpClient) -> CloudAccess:
    from glance_validate.net.keystone import login

    assert options.os_cloud is not None
    return login(
        options.os_cloud,
        insecure=options.insecure,
        cacert=options.cacert,
        timeout=_given(options.read_timeout, 15.0),
        client=client,
    )


def _cloud_hint(cloud: str) -> str:
    return f"the token comes from --os-cloud {cloud}; check that cloud's credentials in clouds.yaml"


def _settings(options: SchemaOptions, token: str | None, hint: str | None = None) -> FetchSettings:
    from glance_validate.net import exchange

    return exchange.FetchSettings(
        token=token,
        token_hint=hint or exchange.TOKEN_HINT,
        connect_timeout=_given(options.connect_timeout, exchange.DEFAULT_CONNECT_TIMEOUT),
        read_timeout=_given(options.read_timeout, exchange.DEFAULT_READ_TIMEOUT),
        insecure=options.insecure,
        cacert=options.cacert,
    )


def _given(value: float | None, default: float) -> float:
    return default if value is None else value


def _policy(options: SchemaOptions) -> CachePolicy:
    from glance_validate.net.cache import DEFAULT_TTL, CachePolicy

    ttl = DEFAULT_TTL if options.cache_ttl is None else options.cache_ttl
    return CachePolicy(ttl=ttl, offline=options.offline, directory=options.cache_dir)
