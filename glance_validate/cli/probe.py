"""``glance-validate probe``: its options, parsed here; the crawl is ``glance_validate.probe.run``.

The function is turned into a command by ``cli.main`` with the report and rule options every
checking command shares.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from glance_validate.cli.network import (
    TOKEN_OPTION,
    endpoint_option,
    os_cloud_option,
    seconds_option,
    tls_and_timeouts,
)
from glance_validate.net.timeouts import CRAWL_CONNECT_TIMEOUT, CRAWL_READ_TIMEOUT

F = TypeVar("F", bound=Callable[..., Any])

PROBE_OPTIONS: list[Callable[[F], F]] = [
    endpoint_option(" to crawl. Env: OS_IMAGE_URL, OS_IMAGE_ENDPOINT"),
    TOKEN_OPTION,
    os_cloud_option("crawl its image endpoint"),
    click.option(
        "--schema",
        "schema",
        metavar="NAME|FILE|URL",
        default=None,
        help="Also validate every answer against this schema (a builtin name, a file or a URL).",
    ),
    click.option(
        "--max-requests",
        "max_requests",
        type=click.IntRange(min=1),
        default=500,
        show_default=True,
        help="Stop the crawl after this many requests.",
    ),
    click.option(
        "--max-images",
        "max_images",
        type=click.IntRange(min=1),
        default=200,
        show_default=True,
        help="Walk and GET at most this many images.",
    ),
    click.option(
        "--page-limit",
        "page_limit",
        type=click.IntRange(min=1, max=1000),
        default=5,
        show_default=True,
        help="The limit of the paged walk (small, so that paging is exercised).",
    ),
    click.option(
        "--rate",
        "rate",
        type=click.FloatRange(min=0),
        default=10.0,
        show_default=True,
        help="At most this many requests per second (0: no limit).",
    ),
    *tls_and_timeouts(CRAWL_CONNECT_TIMEOUT, CRAWL_READ_TIMEOUT),
    seconds_option(
        "--timeout", hidden=True
    ),  # the first spelling: --read-timeout S, --connect-timeout min(S, 10)
    click.option(
        "--save",
        "save",
        metavar="DIR",
        type=click.Path(file_okay=False),
        help="Write what the crawl saw to DIR/probe.har (token left out): `glance-validate check DIR` "
        "checks it again offline.",
    ),
]


def probe(**params: Any) -> None:
    """``probe``'s options as ``ProbeOptions``, then the run (--color and --progress: text is plain)."""
    from glance_validate.cli.guard import exit_with, refuse_quiet_with_verbose
    from glance_validate.net.exchange import ClientSettings
    from glance_validate.probe.crawl import CrawlLimits
    from glance_validate.probe.run import ProbeOptions, run

    if not params["endpoint"] and not params["os_cloud"]:
        raise click.UsageError("give --endpoint URL (or OS_IMAGE_URL) or --os-cloud NAME")
    refuse_quiet_with_verbose(params)
    read = params["read_timeout"] or params["timeout"] or CRAWL_READ_TIMEOUT
    connect = params["connect_timeout"] or min(
        params["timeout"] or CRAWL_CONNECT_TIMEOUT, CRAWL_CONNECT_TIMEOUT
    )
    options = ProbeOptions(
        endpoint=params["endpoint"] or "",
        os_cloud=params["os_cloud"],
        client=ClientSettings(
            token=params["token"] or None,
            connect_timeout=connect,
            read_timeout=read,
            insecure=params["insecure"],
            cacert=params["cacert"],
        ),
        limits=CrawlLimits(
            max_requests=params["max_requests"],
            max_images=params["max_images"],
            page_limit=params["page_limit"],
            rate=params["rate"],
        ),
        schema=params["schema"],
        output_format=params["output_format"],
        outputs=params["outputs"],
        quiet=params["quiet"],
        verbose=params["verbose"],
        rules=params["rules"],
        save=params["save"],
        progress=params["progress"],
    )
    exit_with(lambda: run(options, sys.stdout, sys.stderr), verbose=options.verbose)
