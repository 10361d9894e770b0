"""Glance's configuration for the tests, written into a fresh directory.

One state directory holds everything a run of Glance touches: ``etc/`` (``glance-api.conf``, the
paste pipeline, ``policy.yaml``), the sqlite database, two file stores, the staging and tasks
stores, oslo lock files and the server log. Glance runs in multistore mode with two file stores,
``fast`` (the default) and ``cheap``, so ``/v2/info/stores`` lists two; ``glance-direct`` is the one
import method enabled.

The paste pipeline is our own: version negotiation, ``realglance.identity`` (which confirms an
identity, standing in for Keystone) and Glance's ``context`` middleware before the API apps.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from string import Template

from .identity import DEFAULT_PROJECT, DEFAULT_ROLES, DEFAULT_USER

STORES = {"fast": "Fast file store (default)", "cheap": "Cheap file store"}
DEFAULT_STORE = "fast"

API_CONF = Template(
    """\
# glance-api.conf for glance-validate's tests: Glance 33.0.0 on 127.0.0.1, no Keystone.
[DEFAULT]
debug = false
use_stderr = true
enabled_backends = $backends
enabled_import_methods = [glance-direct]
# the stores' paths and the image locations are not shown (Glance's defaults, said aloud)
show_image_direct_url = false
show_multiple_locations = false

[database]
connection = sqlite:///$database

[glance_store]
default_backend = $default_store

$store_sections
[os_glance_staging_store]
filesystem_store_datadir = $staging

[os_glance_tasks_store]
filesystem_store_datadir = $tasks

[paste_deploy]
config_file = $paste
flavor =

[oslo_policy]
policy_file = $policy

[oslo_concurrency]
lock_path = $locks
"""
)

STORE_SECTION = Template(
    """\
[$name]
filesystem_store_datadir = $datadir
store_description = $description

"""
)

PASTE_INI = Template(
    """\
# The paste pipeline for glance-validate's tests: an identity is confirmed by our filter
# (tests/realglance/identity.py) and turned into a request context by Glance's context middleware.
[composite:glance-api]
paste.composite_factory = glance.api:root_app_factory
/: api

[pipeline:api]
pipeline = versionnegotiation identity context rootapp

[composite:rootapp]
paste.composite_factory = glance.api:root_app_factory
/: apiversions
/v2: apiv2app

[app:apiversions]
paste.app_factory = glance.api.versions:create_resource

[app:apiv2app]
paste.app_factory = glance.api.v2.router:API.factory

[filter:versionnegotiation]
paste.filter_factory = glance.api.middleware.version_negotiation:VersionNegotiationFilter.factory

[filter:identity]
paste.filter_factory = realglance.identity:filter_factory
project_id = $project
user_id = $user
roles = $roles

[filter:context]
paste.filter_factory = glance.api.middleware.context:ContextMiddleware.factory
"""
)

# The identity filter gives every request the admin role (plus member and reader), so Glance's
# default rules allow everything the tests do. The file is there, empty, so that oslo.policy reads
# no other one; a rule equal to its default would only earn a warning in the log.
POLICY_YAML = """\
# policy.yaml for glance-validate's tests: Glance's default rules, unchanged.
{}
"""


@dataclass(frozen=True)
class Layout:
    """Where one Glance run keeps its configuration, data and log."""

    root: Path

    @property
    def etc(self) -> Path:
        return self.root / "etc"

    @property
    def api_conf(self) -> Path:
        return self.etc / "glance-api.conf"

    @property
    def paste_ini(self) -> Path:
        return self.etc / "glance-api-paste.ini"

    @property
    def policy(self) -> Path:
        return self.etc / "policy.yaml"

    @property
    def database(self) -> Path:
        return self.root / "glance.sqlite"

    @property
    def staging(self) -> Path:
        return self.root / "staging"

    @property
    def tasks(self) -> Path:
        return self.root / "tasks"

    @property
    def locks(self) -> Path:
        return self.root / "locks"

    @property
    def log(self) -> Path:
        return self.root / "glance-api.log"

    @property
    def ready_file(self) -> Path:
        return self.root / "ready.json"

    def store_dir(self, name: str) -> Path:
        return self.root / "stores" / name


def write(root: Path) -> Layout:
    """Create the directories and write glance-api.conf, the paste ini and policy.yaml under root."""
    layout = Layout(root)
    for directory in (layout.etc, layout.staging, layout.tasks, layout.locks):
        directory.mkdir(parents=True, exist_ok=True)
    sections = []
    for name, description in STORES.items():
        layout.store_dir(name).mkdir(parents=True, exist_ok=True)
        sections.append(
            STORE_SECTION.substitute(name=name, datadir=layout.store_dir(name), description=description)
        )
    layout.api_conf.write_text(
        API_CONF.substitute(
            backends=", ".join(f"{name}:file" for name in STORES),
            database=layout.database,
            default_store=DEFAULT_STORE,
            store_sections="".join(sections),
            staging=layout.staging,
            tasks=layout.tasks,
            paste=layout.paste_ini,
            policy=layout.policy,
            locks=layout.locks,
        )
    )
    layout.paste_ini.write_text(
        PASTE_INI.substitute(project=DEFAULT_PROJECT, user=DEFAULT_USER, roles=DEFAULT_ROLES)
    )
    layout.policy.write_text(POLICY_YAML)
    return layout


def describe() -> str:
    """One paragraph on how Glance is configured, for provenance notes."""
    stores = ", ".join(f"{name} ({description})" for name, description in STORES.items())
    return (
        "Glance's own WSGI app (glance.common.wsgi_app.init_app) served by waitress on 127.0.0.1; "
        f"sqlite database; multistore with two file stores: {stores}; default store {DEFAULT_STORE}; "
        "import method glance-direct; no Keystone: a paste filter confirms project "
        f"{DEFAULT_PROJECT}, user {DEFAULT_USER}, roles {DEFAULT_ROLES} before Glance's context "
        "middleware; Glance's default policies."
    )
