"""Keystone: log in with a cloud of the user's clouds.yaml and find its image endpoint.

Needs the optional extra ``glance-validate[openstack]`` (keystoneauth1 and PyYAML). clouds.yaml
is looked up where the OpenStack client looks: ``$OS_CLIENT_CONFIG_FILE``, ``./clouds.yaml``,
``$XDG_CONFIG_HOME/openstack/clouds.yaml`` (``~/.config/openstack``), ``/etc/openstack``; the
first file found is used, and a ``secure.yaml`` found the same way is merged over it (for
passwords kept apart). The auth plugin (``auth_type``, default ``password``) is keystoneauth1's;
the image endpoint comes from the service catalog (``interface``, ``region_name``) unless the
cloud sets ``image_endpoint_override``.

The login goes over the HTTP client (``net.client``): its proxies, its TLS trust (``--cacert``
added to the system's) and, when the caller passes one, its connections, which the schema
fetch that follows then reuses.

Every failure is a ``FetchError``: connection failures are transient (a cached schema may be
used instead), refused credentials or a catalog without an image service are not. Passwords,
secrets and tokens never appear in a message.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from glance_validate.core.secrets import Secrets, clip
from glance_validate.net.exchange import ClientSettings, FetchError, TLSFailure, Unreachable

if TYPE_CHECKING:
    from glance_validate.net.client import HttpClient

EXTRA_HINT = "pip install 'glance-validate[openstack]'"
_SECRET_KEYS = ("password", "token", "application_credential_secret", "secret", "passcode")


@dataclass(frozen=True)
class CloudAccess:
    """What a login gives: the image endpoint and a token (never shown)."""

    cloud: str
    endpoint: str
    token: str = field(repr=False)


def config_files(name: str, environ: Mapping[str, str] | None = None) -> list[Path]:
    """Where ``name`` (clouds.yaml or secure.yaml) is looked for, in order."""
    env = os.environ if environ is None else environ
    override = env.get("OS_CLIENT_CONFIG_FILE" if name == "clouds.yaml" else "OS_CLIENT_SECURE_FILE")
    xdg = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    found = [Path(override)] if override else []
    return [*found, Path.cwd() / name, Path(xdg) / "openstack" / name, Path("/etc/openstack") / name]


def cloud_config(cloud: str, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The settings of ``cloud`` from clouds.yaml, with secure.yaml merged over them."""
    clouds_file = _first_existing(config_files("clouds.yaml", environ))
    if clouds_file is None:
        searched = ", ".join(str(p) for p in config_files("clouds.yaml", environ))
        raise FetchError(f"--os-cloud {cloud}: no clouds.yaml found (looked in {searched})")
    clouds = _clouds(clouds_file)
    secure_file = _first_existing(config_files("secure.yaml", environ))
    secure = _clouds(secure_file) if secure_file is not None else {}
    if cloud not in clouds:
        known = ", ".join(sorted(clouds)) or "none"
        raise FetchError(f"--os-cloud {cloud}: no such cloud in {clouds_file} (clouds: {known})")
    merged = _merged(clouds[cloud], secure.get(cloud, {}))
    if not isinstance(merged.get("auth", {}), dict):
        raise FetchError(f"--os-cloud {cloud}: 'auth' in {clouds_file} is not a mapping")
    return merged


def _first_existing(paths: list[Path]) -> Path | None:
    return next((p for p in paths if p.is_file()), None)


def _clouds(path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise FetchError(f"{path}: cannot be read ({exc})") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        raise FetchError(f"{path}: not valid YAML{line}") from None
    clouds = data.get("clouds") if isinstance(data, dict) else None
    if not isinstance(clouds, dict):
        raise FetchError(f"{path}: no 'clouds' mapping")
    return {str(k): v for k, v in clouds.items() if isinstance(v, dict)}


def _merged(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = value
    return merged


def login(
    cloud: str,
    *,
    insecure: bool = False,
    cacert: str | None = None,
    timeout: float = 15.0,
    environ: Mapping[str, str] | None = None,
    client: HttpClient | None = None,
) -> CloudAccess:
    """Authenticate with ``cloud`` from clouds.yaml and find its public image endpoint.

    ``client`` carries the login when its TLS trust is the one the cloud asks for.
    """
    try:
        from keystoneauth1 import exceptions, loading, session
    except ImportError:
        raise FetchError(f"--os-cloud needs keystoneauth1 and PyYAML: {EXTRA_HINT}") from None
    from glance_validate.net.client import HttpClient
    from glance_validate.net.connect import ConnectFailure, DNSFailure

    config = cloud_config(cloud, environ)
    secrets = _secrets(config)
    trust = _trust(config, insecure, cacert)
    own = client is None or (client.settings.insecure, client.settings.cacert) != trust
    transport = HttpClient(_login_settings(trust, timeout)) if own or client is None else client
    try:
        auth = _auth_plugin(cloud, config, loading)
        keystone = session.Session(auth=auth, session=transport.requests_session(), timeout=timeout)
        token = keystone.get_token()
        endpoint = config.get("image_endpoint_override") or keystone.get_endpoint(
            service_type="image",
            interface=config.get("interface", "public"),
            region_name=config.get("region_name"),
        )
    except exceptions.ClientException as exc:
        raise _login_error(cloud, config, exc, exceptions, secrets) from None
    except (DNSFailure, ConnectFailure) as exc:
        auth_url = dict(config.get("auth", {})).get("auth_url", "the auth_url")
        raise Unreachable(f"--os-cloud {cloud}: cannot reach Keystone at {auth_url} ({exc})") from None
    finally:
        if own:
            transport.close()
    if not token:
        raise FetchError(f"--os-cloud {cloud}: Keystone gave no token")
    if not endpoint:
        raise FetchError(_no_endpoint(cloud, config))
    return CloudAccess(cloud, str(endpoint), str(token))


def _login_settings(trust: tuple[bool, str | None], timeout: float) -> ClientSettings:
    insecure, cacert = trust
    return ClientSettings(
        connect_timeout=min(timeout, 5.0), read_timeout=timeout, insecure=insecure, cacert=cacert
    )


def _auth_plugin(cloud: str, config: dict[str, Any], loading: Any) -> Any:
    from keystoneauth1 import exceptions

    auth_type = str(config.get("auth_type", "password"))
    try:
        loader = loading.get_plugin_loader(auth_type)
    except exceptions.NoMatchingPlugin:
        raise FetchError(f"--os-cloud {cloud}: unknown auth_type {auth_type!r}") from None
    known = {option.dest for option in loader.get_options()}
    given = {str(k).replace("-", "_"): v for k, v in dict(config.get("auth", {})).items()}
    return loader.load_from_options(**{k: v for k, v in given.items() if k in known})


def _trust(config: dict[str, Any], insecure: bool, cacert: str | None) -> tuple[bool, str | None]:
    """(insecure, cacert) for the login: the command line's, else what the cloud's settings say."""
    if insecure or config.get("verify") is False or config.get("insecure") is True:
        return True, None
    given = cacert or config.get("cacert")
    return False, str(given) if given else None


def _secrets(config: dict[str, Any]) -> Secrets:
    auth = config.get("auth", {})
    return Secrets.of(*(str(auth[k]) for k in _SECRET_KEYS if isinstance(auth, dict) and auth.get(k)))


def _login_error(
    cloud: str, config: dict[str, Any], exc: Exception, exceptions: Any, secrets: Secrets
) -> FetchError:
    auth_url = dict(config.get("auth", {})).get("auth_url", "the auth_url")
    text = _clean(str(exc), secrets)
    prefix = f"--os-cloud {cloud}"
    if isinstance(exc, exceptions.SSLError):
        return TLSFailure(
            f"{prefix}: TLS failure talking to {auth_url} ({text}); pass --cacert FILE or --insecure"
        )
    if isinstance(exc, (exceptions.ConnectFailure, exceptions.ConnectTimeout)):
        return Unreachable(f"{prefix}: cannot reach Keystone at {auth_url} ({text})")
    if isinstance(exc, exceptions.Unauthorized):
        return FetchError(f"{prefix}: Keystone refused the credentials in clouds.yaml (401 at {auth_url})")
    if isinstance(exc, (exceptions.EndpointNotFound, exceptions.EmptyCatalog)):
        return FetchError(_no_endpoint(cloud, config))
    if isinstance(exc, exceptions.MissingRequiredOptions):
        return FetchError(f"{prefix}: clouds.yaml lacks auth settings: {text}")
    if isinstance(exc, exceptions.HttpError) and getattr(exc, "http_status", 0) >= 500:
        return Unreachable(f"{prefix}: Keystone at {auth_url} failed ({text})")
    return FetchError(f"{prefix}: login failed ({text})")


def _no_endpoint(cloud: str, config: dict[str, Any]) -> str:
    interface = config.get("interface", "public")
    region = config.get("region_name")
    where = f" in region {region}" if region else ""
    return (
        f"--os-cloud {cloud}: the service catalog has no {interface} image endpoint{where}; "
        "set image_endpoint_override in clouds.yaml or use --endpoint"
    )


def _clean(text: str, secrets: Secrets) -> str:
    """Keystone's words on one line, the credentials blanked before the line is cut."""
    return clip(" ".join(secrets.redact(text).split()), 300, "")
