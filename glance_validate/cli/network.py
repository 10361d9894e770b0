"""The network options, declared once: ``check``, the ``schema`` commands and ``probe`` share them.

One meaning everywhere: the token goes as ``X-Auth-Token`` and never to another host,
``--cacert`` adds a CA to the system's trust (see ``net.connect.tls_context`` for why),
``--connect-timeout`` bounds name lookup, TCP and TLS, ``--read-timeout`` the whole response.
Only the timeouts' defaults differ by command: a pre-commit hook waits less than a crawl.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

ENDPOINT_VARIABLES = ["OS_IMAGE_URL", "OS_IMAGE_ENDPOINT"]


def endpoint_option(does: str) -> Callable[[F], F]:
    """``--endpoint URL`` (or OS_IMAGE_URL, OS_IMAGE_ENDPOINT); ``does`` says what it is for."""
    return click.option(
        "--endpoint",
        "endpoint",
        metavar="URL",
        envvar=ENDPOINT_VARIABLES,
        help=f"Image endpoint of a cloud (https://image.example.com){does}.",
    )


TOKEN_OPTION = click.option(
    "--token",
    "token",
    metavar="TOKEN",
    envvar=["OS_AUTH_TOKEN", "OS_TOKEN"],
    show_envvar=False,
    help="Token sent as X-Auth-Token, never to another host. Env: OS_AUTH_TOKEN, OS_TOKEN "
    "(preferred: a command line is visible to other users).",
)


def os_cloud_option(does: str) -> Callable[[F], F]:
    return click.option(
        "--os-cloud",
        "os_cloud",
        metavar="NAME",
        help=f"Log in with cloud NAME of clouds.yaml and {does} (needs glance-validate[openstack]).",
    )


def tls_and_timeouts(connect_default: float, read_default: float) -> list[Callable[[F], F]]:
    """``--insecure``, ``--cacert``, ``--connect-timeout`` and ``--read-timeout`` (defaults shown)."""
    return [
        click.option(
            "--insecure", "insecure", is_flag=True, help="Do not verify the endpoint's TLS certificate."
        ),
        click.option(
            "--cacert",
            "cacert",
            metavar="FILE",
            envvar="OS_CACERT",
            help="Also trust the CA certificates in FILE (PEM), besides the system's. Env: OS_CACERT.",
        ),
        seconds_option(
            "--connect-timeout",
            help="Give up connecting (name lookup, TCP, TLS) after this long "
            f"[default: {connect_default:g}].",
        ),
        seconds_option(
            "--read-timeout",
            help="Give up when the whole response has not arrived this long after connecting "
            f"[default: {read_default:g}].",
        ),
    ]


def seconds_option(flag: str, **settings: Any) -> Callable[[F], F]:
    """An option taking a duration in seconds (at least 0.05), without a default: the command
    tells a value given from one left to it."""
    return click.option(
        flag,
        flag.lstrip("-").replace("-", "_"),
        type=click.FloatRange(min=0.05),
        metavar="SECONDS",
        **settings,
    )
