"""--os-cloud: clouds.yaml, a Keystone v3 login and the image endpoint from the catalog, on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from schema_server import SCHEMA_PATH, SEED, TOKEN, Reply, Request, SchemaServer, json_reply, schema_route

from glance_validate.net.exchange import FetchError

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "ims" / "image-list.json"
PASSWORD = "s3cret-Pa55word-for-tests"

try:
    import keystoneauth1  # noqa: F401
except ImportError:
    HAVE_KEYSTONEAUTH = False
else:
    HAVE_KEYSTONEAUTH = True
needs_keystoneauth = pytest.mark.skipif(
    not HAVE_KEYSTONEAUTH, reason="keystoneauth1 is not installed (pip install -e '.[openstack]')"
)


class Keystone:
    """Keystone v3 on the test server: version discovery and password login with a catalog."""

    def __init__(self, server: SchemaServer, *, image_service: bool = True) -> None:
        self.server = server
        self.image_service = image_service
        server.route("/v3", self.discovery)
        server.route("/v3/", self.discovery)
        server.route("/v3/auth/tokens", self.tokens)

    def discovery(self, request: Request) -> Reply:
        version = {
            "id": "v3.14",
            "status": "stable",
            "updated": "2020-04-07T00:00:00Z",
            "links": [{"rel": "self", "href": self.server.url("/v3/")}],
            "media-types": [
                {"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}
            ],
        }
        return json_reply({"version": version})

    def tokens(self, request: Request) -> Reply:
        body = json.loads(request.body or b"{}")
        user = body.get("auth", {}).get("identity", {}).get("password", {}).get("user", {})
        if request.method != "POST" or user.get("password") != PASSWORD:
            error = {
                "code": 401,
                "title": "Unauthorized",
                "message": "The request you have made requires authentication.",
            }
            return json_reply({"error": error}, 401)
        catalog = []
        if self.image_service:
            endpoint = {
                "id": "e1",
                "interface": "public",
                "region": "RegionOne",
                "region_id": "RegionOne",
                "url": self.server.url(),
            }
            catalog.append({"type": "image", "name": "glance", "id": "s1", "endpoints": [endpoint]})
        token = {
            "methods": ["password"],
            "expires_at": "2099-01-01T00:00:00.000000Z",
            "issued_at": "2026-01-01T00:00:00.000000Z",
            "user": {"id": "u1", "name": user.get("name"), "domain": {"id": "default", "name": "Default"}},
            "project": {"id": "p1", "name": "demo", "domain": {"id": "default", "name": "Default"}},
            "roles": [{"id": "r1", "name": "reader"}],
            "catalog": catalog,
        }
        return json_reply({"token": token}, 201, {"X-Subject-Token": TOKEN})

    def logins(self) -> list[Request]:
        return self.server.seen("/v3/auth/tokens")


def _clouds_yaml(tmp_path: Path, auth_url: str, *, password: str | None = PASSWORD, **extra: Any) -> Path:
    auth = {
        "auth_url": auth_url,
        "username": "demo",
        "project_name": "demo",
        "user_domain_name": "Default",
        "project_domain_name": "Default",
    }
    if password is not None:
        auth["password"] = password
    cloud = {"auth": auth, "region_name": "RegionOne", **extra}
    path = tmp_path / "clouds.yaml"
    path.write_text(json.dumps({"clouds": {"test": cloud}}))  # JSON is YAML
    return path


@pytest.fixture
def cloud(tmp_path: Path) -> Iterator[tuple[SchemaServer, Keystone, Path]]:
    with SchemaServer() as server:
        keystone = Keystone(server)
        server.route(SCHEMA_PATH, schema_route())
        yield server, keystone, _clouds_yaml(tmp_path, server.url("/v3"))


def _env(tmp_path: Path, clouds: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env.update(
        {
            "XDG_CACHE_HOME": str(tmp_path / "cache"),
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "OS_CLIENT_CONFIG_FILE": str(clouds),
            "OS_CLIENT_SECURE_FILE": str(tmp_path / "secure.yaml"),
            "NO_PROXY": "127.0.0.1,localhost",
            **extra,
        }
    )
    return env


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "glance_validate", *args], capture_output=True, text=True, env=env, check=False
    )
    assert "Traceback" not in result.stderr, result.stderr
    for secret in (PASSWORD, TOKEN):
        assert secret not in result.stdout + result.stderr
    return result


def test_missing_keystoneauth_says_which_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without keystoneauth1, --os-cloud fails with the pip command that adds it."""
    from glance_validate.net.keystone import login

    monkeypatch.setitem(sys.modules, "keystoneauth1", None)
    with pytest.raises(FetchError, match=r"pip install 'glance-validate\[openstack\]'"):
        login("test")


@needs_keystoneauth
def test_login_finds_the_image_endpoint_and_token(
    cloud: tuple[SchemaServer, Keystone, Path], tmp_path: Path
) -> None:
    """A password login against /v3/auth/tokens gives the token and the catalog's image endpoint."""
    from glance_validate.net.keystone import login

    server, keystone, clouds = cloud
    access = login("test", environ={"OS_CLIENT_CONFIG_FILE": str(clouds), "XDG_CONFIG_HOME": str(tmp_path)})
    assert access.endpoint == server.url() and access.token == TOKEN
    assert TOKEN not in repr(access)
    sent = json.loads(keystone.logins()[0].body)
    assert sent["auth"]["identity"]["password"]["user"]["name"] == "demo"


@needs_keystoneauth
def test_check_with_os_cloud(cloud: tuple[SchemaServer, Keystone, Path], tmp_path: Path) -> None:
    """check --os-cloud logs in, fetches the schema with the issued token, and validates."""
    server, keystone, clouds = cloud
    result = _cli("check", "--os-cloud", "test", str(FIXTURE), env=_env(tmp_path, clouds))
    assert result.returncode == 0, result.stderr
    assert f"against {server.url(SCHEMA_PATH)}" in result.stdout
    assert server.seen(SCHEMA_PATH)[0].headers["x-auth-token"] == TOKEN
    assert len(keystone.logins()) == 1


@needs_keystoneauth
def test_cached_schema_needs_no_login(cloud: tuple[SchemaServer, Keystone, Path], tmp_path: Path) -> None:
    """Within the cache TTL a second run neither logs in nor fetches."""
    server, keystone, clouds = cloud
    env = _env(tmp_path, clouds)
    for _ in range(2):
        assert _cli("check", "--os-cloud", "test", str(FIXTURE), env=env).returncode == 0
    assert len(keystone.logins()) == 1 and len(server.seen(SCHEMA_PATH)) == 1


@needs_keystoneauth
def test_offline_with_os_cloud_after_the_cloud_is_gone(tmp_path: Path) -> None:
    """--offline --os-cloud works from the cache with Keystone and the endpoint both down."""
    with SchemaServer() as server:
        Keystone(server)
        server.route(SCHEMA_PATH, schema_route())
        clouds = _clouds_yaml(tmp_path, server.url("/v3"))
        env = _env(tmp_path, clouds)
        assert _cli("check", "--os-cloud", "test", str(FIXTURE), env=env).returncode == 0
    result = _cli("check", "--offline", "--os-cloud", "test", str(FIXTURE), env=env)
    assert result.returncode == 0, result.stderr


@needs_keystoneauth
def test_keystone_down_falls_back_to_the_stale_copy(tmp_path: Path) -> None:
    """Past the TTL with Keystone unreachable, the cached schema is used with a warning."""
    with SchemaServer() as server:
        Keystone(server)
        server.route(SCHEMA_PATH, schema_route())
        clouds = _clouds_yaml(tmp_path, server.url("/v3"))
        env = _env(tmp_path, clouds)
        assert _cli("check", "--os-cloud", "test", str(FIXTURE), env=env).returncode == 0
    result = _cli("check", "--os-cloud", "test", "--cache-ttl", "0", str(FIXTURE), env=env)
    assert result.returncode == 0, result.stderr
    assert "cannot reach Keystone" in result.stderr and "using the cached copy from" in result.stderr


@needs_keystoneauth
def test_secure_yaml_supplies_the_password(tmp_path: Path) -> None:
    """A password kept in secure.yaml is merged into the cloud of clouds.yaml."""
    with SchemaServer() as server:
        Keystone(server)
        server.route(SCHEMA_PATH, schema_route())
        clouds = _clouds_yaml(tmp_path, server.url("/v3"), password=None)
        (tmp_path / "secure.yaml").write_text(
            json.dumps({"clouds": {"test": {"auth": {"password": PASSWORD}}}})
        )
        result = _cli("schema", "show", "--os-cloud", "test", env=_env(tmp_path, clouds))
    assert result.returncode == 0, result.stderr
    assert "27 image properties" in result.stdout


@needs_keystoneauth
def test_wrong_password_exits_3_without_showing_it(tmp_path: Path) -> None:
    """Refused credentials: exit 3, one line, no password in the output."""
    with SchemaServer() as server:
        Keystone(server)
        clouds = _clouds_yaml(tmp_path, server.url("/v3"), password="wrong-" + PASSWORD)
        result = _cli("check", "--os-cloud", "test", str(FIXTURE), env=_env(tmp_path, clouds))
    assert result.returncode == 3
    assert "Keystone refused the credentials" in result.stderr and result.stderr.count("\n") == 1
    assert "wrong-" not in result.stderr


@needs_keystoneauth
def test_catalog_without_an_image_service(tmp_path: Path) -> None:
    """No image service in the catalog: the message says so and how to name the endpoint."""
    with SchemaServer() as server:
        Keystone(server, image_service=False)
        clouds = _clouds_yaml(tmp_path, server.url("/v3"))
        result = _cli("check", "--os-cloud", "test", str(FIXTURE), env=_env(tmp_path, clouds))
    assert result.returncode == 3
    assert "no public image endpoint in region RegionOne" in result.stderr


@needs_keystoneauth
def test_image_endpoint_override_is_used(tmp_path: Path) -> None:
    """image_endpoint_override in clouds.yaml wins over the catalog."""
    with SchemaServer() as server, SchemaServer() as images:
        Keystone(server, image_service=False)
        images.route(SCHEMA_PATH, schema_route())
        clouds = _clouds_yaml(tmp_path, server.url("/v3"), image_endpoint_override=images.url())
        result = _cli("check", "--os-cloud", "test", str(FIXTURE), env=_env(tmp_path, clouds))
    assert result.returncode == 0, result.stderr
    assert images.seen(SCHEMA_PATH)[0].headers["x-auth-token"] == TOKEN


@needs_keystoneauth
def test_unknown_cloud_lists_the_known_ones(
    cloud: tuple[SchemaServer, Keystone, Path], tmp_path: Path
) -> None:
    """A cloud name not in clouds.yaml: the message lists the clouds that are there."""
    _, _, clouds = cloud
    result = _cli("check", "--os-cloud", "prod", str(FIXTURE), env=_env(tmp_path, clouds))
    assert result.returncode == 3 and "no such cloud" in result.stderr and "(clouds: test)" in result.stderr


@needs_keystoneauth
def test_fetch_with_os_cloud_pins_the_schema(
    cloud: tuple[SchemaServer, Keystone, Path], tmp_path: Path
) -> None:
    """schema fetch --os-cloud writes the cloud's schema to a file."""
    _, _, clouds = cloud
    pinned = tmp_path / "pinned.json"
    result = _cli("schema", "fetch", "--os-cloud", "test", "-o", str(pinned), env=_env(tmp_path, clouds))
    assert result.returncode == 0, result.stderr
    assert json.loads(pinned.read_text()) == json.loads(SEED.read_text())


def test_os_cloud_with_a_local_schema_is_a_usage_error(tmp_path: Path) -> None:
    """--os-cloud fetches the schema, so naming a builtin with --schema as well is refused."""
    result = _cli(
        "check", "--os-cloud", "test", "--schema", "ims", str(FIXTURE), env=_env(tmp_path, tmp_path)
    )
    assert result.returncode == 2 and "--os-cloud" in result.stderr


@needs_keystoneauth
def test_lint_a_url_with_the_token_of_a_cloud(
    cloud: tuple[SchemaServer, Keystone, Path], tmp_path: Path
) -> None:
    """schema lint URL --os-cloud sends the cloud's token with the URL."""
    server, _, clouds = cloud
    result = _cli("schema", "lint", "--os-cloud", "test", server.url(SCHEMA_PATH), env=_env(tmp_path, clouds))
    assert result.returncode == 0, result.stderr
    assert server.seen(SCHEMA_PATH)[0].headers["x-auth-token"] == TOKEN
    assert f"{server.url(SCHEMA_PATH)}: L001 [warning]" in result.stdout
