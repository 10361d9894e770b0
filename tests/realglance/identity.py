"""A paste filter that plays Keystone for the test Glance: it confirms an identity on every request.

It runs inside Glance's own environment, placed before Glance's ``context`` middleware
(``glance.api.middleware.context:ContextMiddleware``), which builds the request context from the
identity headers only when ``X-Identity-Status`` is ``Confirmed``. Glance's unauthenticated
context would give no project, so images would get ``owner: null`` and an import task could not be
stored; with these headers every request belongs to a project and a user with the roles given.

A client may name another project, user or roles with the usual headers (``X-Project-Id``,
``X-User-Id``, ``X-Roles``), for example to act as an image member; what it leaves out is filled
from the filter's configuration. Only the standard library is used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

DEFAULT_PROJECT = "0a1b2c3d4e5f40718293a4b5c6d7e8f9"
DEFAULT_USER = "9f8e7d6c5b4a40392817f6e5d4c3b2a1"
DEFAULT_ROLES = "admin,member,reader"


class IdentityFilter:
    """WSGI middleware: mark the request's identity as confirmed, filling in what is missing."""

    def __init__(self, app: WSGIApp, project_id: str, user_id: str, roles: str) -> None:
        self.app = app
        self.project_id = project_id
        self.user_id = user_id
        self.roles = roles

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        project = environ.get("HTTP_X_PROJECT_ID") or environ.get("HTTP_X_TENANT_ID") or self.project_id
        environ["HTTP_X_IDENTITY_STATUS"] = "Confirmed"
        environ["HTTP_X_PROJECT_ID"] = project
        environ["HTTP_X_TENANT_ID"] = project
        environ.setdefault("HTTP_X_USER_ID", self.user_id)
        environ.setdefault("HTTP_X_ROLES", self.roles)
        return self.app(environ, start_response)


def filter_factory(global_conf: Mapping[str, str], **local_conf: str) -> Callable[[WSGIApp], WSGIApp]:
    """The paste ``filter_factory``: ``project_id``, ``user_id`` and ``roles`` may be configured."""
    project = local_conf.get("project_id", DEFAULT_PROJECT)
    user = local_conf.get("user_id", DEFAULT_USER)
    roles = local_conf.get("roles", DEFAULT_ROLES)

    def wrap(app: WSGIApp) -> WSGIApp:
        return IdentityFilter(app, project, user, roles)

    return wrap
